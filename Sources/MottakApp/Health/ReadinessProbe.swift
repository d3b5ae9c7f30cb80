import ApiSupport
import Kafka
import PostgresNIO
import Storage
import Synchronization

/// Answers "may Kubernetes send this pod traffic": PostgreSQL answers, the schema has every
/// migration this binary knows, and, when the process runs a role that uses Kafka, a Kafka
/// broker answers a metadata request. A pod of only the HTTP roles (intake, status query) does
/// not check Kafka: the intake never talks to Kafka, and taking it out of service during a Kafka
/// outage would refuse exactly the plans the outbox is there to keep.
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
    private let kafka: KafkaAdminClient?
    /// More checks by name (`mottak-dev`: the seeded sykmeldinger are ingested).
    private let extraChecks: [String: @Sendable (PostgresClient) async throws -> String?]
    private let timeout: Duration
    private let shutdown: ShutdownAnnouncement
    /// Once every migration was seen applied it stays applied; later probes skip that query.
    private let migrationsSeenCurrent = Mutex(false)

    /// `kafka` nil: the process's roles do not use Kafka; the report has no `kafka` check.
    public init(
        postgres: PostgresClient, migrations: MigrationRunner, kafka: KafkaAdminClient?,
        extraChecks: [String: @Sendable (PostgresClient) async throws -> String?] = [:], timeout: Duration = .seconds(2),
        shutdown: ShutdownAnnouncement = ShutdownAnnouncement()
    ) {
        self.shutdown = shutdown
        self.postgres = postgres
        self.migrations = migrations
        self.kafka = kafka
        self.extraChecks = extraChecks
        self.timeout = timeout
    }

    public func check() async -> Report {
        // Stopping: out of the Service's endpoints before the HTTP server closes.
        if shutdown.isAnnounced { return Report(checks: ["shutdown": "the process is shutting down"]) }
        async let postgres = problem { try await self.checkPostgres() }
        async let migrations = problem { try await self.checkMigrations() }
        async let kafka = self.kafka == nil ? nil : problem { try await self.checkKafka() }
        var checks: [String: String?] = ["postgres": await postgres, "migrations": await migrations]
        if self.kafka != nil { checks["kafka"] = await kafka }
        for (name, check) in extraChecks {
            checks[name] = await problem { [client = self.postgres] in try await check(client) }
        }
        return Report(checks: checks)
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
        try await kafka?.brokers(timeout: timeout).isEmpty == true ? "the cluster reported no brokers" : nil
    }
}
