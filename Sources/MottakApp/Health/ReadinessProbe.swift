import Kafka
import PostgresNIO
import Storage
import Synchronization

/// Answers "may Kubernetes send this pod traffic": PostgreSQL answers, the schema has every
/// migration this binary knows, and a Kafka broker answers a metadata request.
///
/// The checks run concurrently, each bounded by `timeout`, so a hanging dependency makes the
/// probe say "not ready" rather than making the probe itself time out.
public final class ReadinessProbe: Sendable {
    /// One dependency's answer: nil when it is fine, else what is wrong.
    public struct Report: Sendable {
        public var checks: [String: String?]
        public var isReady: Bool { checks.values.allSatisfy { $0 == nil } }
    }

    private let postgres: PostgresClient
    private let migrations: MigrationRunner
    private let kafka: KafkaAdminClient
    private let timeout: Duration
    /// Once every migration was seen applied it stays applied; later probes skip that query.
    private let migrationsSeenCurrent = Mutex(false)

    public init(postgres: PostgresClient, migrations: MigrationRunner, kafka: KafkaAdminClient, timeout: Duration = .seconds(2)) {
        self.postgres = postgres
        self.migrations = migrations
        self.kafka = kafka
        self.timeout = timeout
    }

    public func check() async -> Report {
        async let postgres = problem { try await self.checkPostgres() }
        async let migrations = problem { try await self.checkMigrations() }
        async let kafka = problem { try await self.checkKafka() }
        return Report(checks: ["postgres": await postgres, "migrations": await migrations, "kafka": await kafka])
    }

    private func problem(_ check: @escaping @Sendable () async throws -> String?) async -> String? {
        do {
            return try await withTimeout(timeout, operation: check)
        } catch let error as PSQLError {
            // PSQLError's description is deliberately vague; the code says what kind of failure.
            return "PostgreSQL: \(error.code)\(error.serverInfo?[.message].map { ": \($0)" } ?? "")"
        } catch {
            return "\(error)"
        }
    }

    private func checkPostgres() async throws -> String? {
        let rows = try await postgres.query("SELECT 1")
        for try await _ in rows {}
        return nil
    }

    private func checkMigrations() async throws -> String? {
        if migrationsSeenCurrent.withLock({ $0 }) { return nil }
        let pending = try await migrations.pending(on: postgres)
        guard pending.isEmpty else {
            return "not applied: " + pending.map(\.identifier).joined(separator: ", ")
        }
        migrationsSeenCurrent.withLock { $0 = true }
        return nil
    }

    private func checkKafka() async throws -> String? {
        try await kafka.brokers(timeout: timeout).isEmpty ? "the cluster reported no brokers" : nil
    }
}
