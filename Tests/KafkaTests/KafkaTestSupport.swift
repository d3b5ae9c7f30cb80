import Foundation
import Kafka
import KafkaMock
import Logging
import Synchronization
import TestSupport

/// A cluster of `brokers` embedded brokers with `topics`, and clients for it.
struct KafkaTestBed {
    let cluster: EmbeddedKafkaCluster
    let logger = TestServices.logger

    init(brokers: Int = 1, topics: [TopicSpec]) throws {
        cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: TestServices.logger)
        try cluster.createTopics(topics)
    }

    var configuration: KafkaConfiguration { KafkaConfiguration(bootstrapServers: cluster.bootstrapServers) }

    func producer(_ properties: [String: String] = [:]) throws -> KafkaProducer {
        var configuration = self.configuration
        configuration.properties = properties
        return try KafkaProducer(configuration: configuration, logger: logger)
    }

    /// Consumers use a 6 s session timeout: the mock coordinator keeps a newcomer to a group
    /// that was just left waiting until the old member's session would have expired (librdkafka's
    /// default is 45 s), where a real broker answers after its short initial-rebalance delay.
    func consumer(group: String, topics: [String], _ properties: [String: String] = [:]) throws -> KafkaConsumer {
        var configuration = self.configuration
        configuration.properties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"].merging(properties) { $1 }.merging(
            ProcessInfo.processInfo.environment["TEST_KAFKA_DEBUG"].map { ["debug": $0] } ?? [:]
        ) { $1 }
        return try KafkaConsumer(configuration: configuration, consumer: .init(groupID: group, topics: topics), logger: logger)
    }
}

/// Takes `count` messages (marking each processed when `mark`), failing after `timeout`.
func take(_ count: Int, from consumer: KafkaConsumer, mark: Bool = true, timeout: Duration = .seconds(60)) async throws -> [KafkaMessage] {
    // Zero is a real case (an earlier member may have processed everything) and must not wait.
    guard count > 0 else { return [] }
    return try await withThrowingTaskGroup(of: [KafkaMessage].self) { group in
        group.addTask {
            var taken: [KafkaMessage] = []
            for try await message in consumer.messages {
                taken.append(message)
                if mark { try consumer.markProcessed(message) }
                if taken.count == count { break }
            }
            return taken
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TestTimeout(description: "took fewer than \(count) messages within \(timeout)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    let description: String
}

extension KafkaMessage {
    var text: String { value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
    var keyText: String { key.map { String(decoding: $0, as: UTF8.self) } ?? "" }
}

/// This process's thread count and resident memory, from /proc.
func processFootprint() -> (threads: Int, residentKiB: Int) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Int {
        status.split(separator: "\n").first { $0.hasPrefix(name) }
            .flatMap { Int($0.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") } ?? 0
    }
    return (field("Threads:"), field("VmRSS:"))
}
