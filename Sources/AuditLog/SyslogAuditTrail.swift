import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix

/// The audit log's transport on NAIS: syslog over TCP to `audit.nais:6514` (`navikt/naudit`;
/// domain-reference.md 14.5), one BSD-syslog line per record, newline-framed, as NAV's
/// logback (syslog4j) and winston-syslog senders write them:
///
///     <14>Dec  5 10:11:12 <pod> lps-oppfolgingsplan-mottak: CEF:0|…
///
/// (facility user, severity informational). One connection, opened on first use and again
/// after a failure; a record that cannot be written after one reconnect throws
/// ``AuditLogUnavailable`` and counts in `mottak_audit_records_failed_total` (alert
/// `MottakAuditLogUnavailable`: case workers then see 503s).
public actor SyslogAuditTrail: AuditTrail {
    private let host: String
    private let port: Int
    private let appName: String
    private let hostname: String
    private let connectTimeout: TimeAmount
    private let logger: Logger
    private let failures: Counter
    private var channel: (any Channel)?
    private var connecting: Task<any Channel, any Error>?

    public init(
        host: String, port: Int, appName: String, connectTimeout: Duration = .seconds(2), metricsFactory: any MetricsFactory, logger: Logger
    ) {
        self.host = host
        self.port = port
        self.appName = appName
        self.hostname = ProcessInfo.processInfo.hostName
        self.connectTimeout = .nanoseconds(Int64(connectTimeout / .nanoseconds(1)))
        self.logger = logger
        self.failures = Counter(label: "mottak_audit_records_failed_total", factory: metricsFactory)
    }

    public func record(_ record: AuditRecord) async throws {
        let line = Self.syslogLine(record.cef(product: appName), appName: appName, hostname: hostname, time: record.time)
        do {
            try await send(line)
        } catch {
            // A connection the collector closed since the last record: one more try on a new one.
            try? await channel?.close()
            channel = nil
            do {
                try await send(line)
            } catch {
                try? await channel?.close()
                channel = nil
                failures.increment()
                logger.error("cannot write to the audit log", metadata: ["audit.address": "\(host):\(port)", "error": "\(error)"])
                throw AuditLogUnavailable("\(host):\(port): \(error)")
            }
        }
    }

    private func send(_ line: String) async throws {
        let channel = try await connected()
        try await channel.writeAndFlush(ByteBuffer(string: line))
    }

    /// The open connection, or a new one; records that arrive while it is being opened wait for
    /// the same one (the actor lets them in at the `await`: each would otherwise open its own,
    /// and all but the last would stay open, unused).
    private func connected() async throws -> any Channel {
        if let channel, channel.isActive { return channel }
        if let connecting { return try await connecting.value }
        let task = Task { [host, port, connectTimeout] in
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .connect(host: host, port: port).get()
        }
        connecting = task
        defer { connecting = nil }
        let fresh = try await task.value
        channel = fresh
        return fresh
    }

    /// `<14>Mmm dd HH:mm:ss host app: message\n` (RFC 3164; the day space-padded, UTC).
    static func syslogLine(_ message: String, appName: String, hostname: String, time: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.month, .day, .hour, .minute, .second], from: time)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let day = parts.day.map { $0 < 10 ? " \($0)" : "\($0)" } ?? " 1"
        let stamp = "\(months[(parts.month ?? 1) - 1]) \(day) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
        return "<14>\(stamp) \(hostname) \(appName): \(message)\n"
    }
}
