import Foundation
import Kafka
import KafkaMock
import Logging
import Synchronization
import TestSupport

/// This process's thread count and resident memory, from /proc.
func processFootprint() -> (threads: Int, residentKiB: Int) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Int {
        status.split(separator: "\n").first { $0.hasPrefix(name) }
            .flatMap { Int($0.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") } ?? 0
    }
    return (field("Threads:"), field("VmRSS:"))
}
