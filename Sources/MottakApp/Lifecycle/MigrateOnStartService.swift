import Logging
import PostgresNIO
import ServiceLifecycle
import Storage

/// Applies pending migrations when the process starts (`MIGRATE_ON_START`, default on), then
/// stays until shutdown. Listed right after the PostgreSQL client, so the pool is running.
///
/// A failure ends this service with the error, which makes the service group shut the whole
/// process down: a pod with a schema it cannot trust must not serve.
struct MigrateOnStartService: Service, CustomStringConvertible {
    let runner: MigrationRunner
    let postgres: PostgresClient
    let logger: Logger
    /// Opened once the schema is current.
    let gate: SchemaGate
    var description: String { "MigrateOnStartService" }

    func run() async throws {
        try await PostgresClient.waitForRunToBegin()
        let applied = try await runner.migrate(on: postgres)
        logger.info("schema is current", metadata: ["migrations.applied.now": "\(applied.count)"])
        gate.open()
        try? await gracefulShutdown()
    }
}
