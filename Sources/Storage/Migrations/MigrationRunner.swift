import Logging
import PostgresNIO

/// Applies `migrations/` to PostgreSQL, once, in order, and refuses a history it cannot trust.
///
/// Every run holds a session-level advisory lock on one leased connection, so any number of
/// pods may start at once: the first applies, the others wait and then find nothing to do.
/// Each migration runs in its own transaction together with its history row, so a failed
/// migration leaves neither a half-applied schema nor a history row behind (PostgreSQL DDL is
/// transactional). The history table `schema_migrations` keeps version, name and the SHA-256 of
/// the file; an applied file that was edited afterwards stops the run.
public struct MigrationRunner: Sendable {
    /// The advisory lock key of migrations ("mottak:m" as bytes), fixed for the project's life.
    public static let advisoryLockKey: Int64 = 0x6d6f_7474_616b_3a6d

    public let migrations: [Migration]
    private let logger: Logger

    public init(migrations: [Migration], logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is pending and returns it (empty when the database was current).
    @discardableResult
    public func migrate(on client: PostgresClient) async throws -> [Migration] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version      integer     PRIMARY KEY CHECK (version > 0),
                        name         text        NOT NULL,
                        checksum     char(64)    NOT NULL,
                        applied_at   timestamptz NOT NULL DEFAULT now(),
                        execution_ms integer     NOT NULL CHECK (execution_ms >= 0)
                    )
                    """, logger: logger)
                let pending = try await pendingMigrations(on: connection)
                for migration in pending {
                    try await apply(migration, on: connection)
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return pending
            } catch {
                // Closing the session would release the lock too, but the pool keeps it open.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The migrations not yet applied; throws when the applied history does not match the files.
    ///
    /// Readiness uses this: a pod is ready only when this is empty. Versions in the database
    /// that this binary does not know are tolerated, because during a rolling deploy a newer
    /// pod may already have applied its migrations.
    public func pending(on client: PostgresClient) async throws -> [Migration] {
        try await client.withConnection { connection in
            let rows = try await connection.query(
                "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
            var historyExists = false
            for try await exists in rows.decode(Bool.self) { historyExists = exists }
            return historyExists ? try await pendingMigrations(on: connection) : migrations
        }
    }

    private func pendingMigrations(on connection: PostgresConnection) async throws -> [Migration] {
        var applied: [Int: (name: String, checksum: String)] = [:]
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations", logger: logger)
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            applied[version] = (name, checksum)
        }
        for migration in migrations {
            if let history = applied[migration.version], history.checksum != migration.checksum {
                throw MigrationError.checksumMismatch(
                    version: migration.version, name: migration.name, applied: history.checksum, file: migration.checksum)
            }
        }
        let pending = migrations.filter { applied[$0.version] == nil }
        if let newestApplied = applied.keys.max(), let early = pending.first(where: { $0.version < newestApplied }) {
            throw MigrationError.outOfOrder(version: early.version, name: early.name, newestApplied: newestApplied)
        }
        return pending
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let started = ContinuousClock.now
        let statements = SQLStatementSplitter.split(migration.sql)
        try await connection.query("BEGIN", logger: logger)
        do {
            for (index, statement) in statements.enumerated() {
                do {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                } catch let error as PSQLError {
                    throw MigrationError.statementFailed(
                        version: migration.version, name: migration.name, statement: index + 1,
                        reason: error.serverInfo?[.message] ?? String(reflecting: error.code))
                }
            }
            let elapsed = ContinuousClock.now - started
            let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            try await connection.query(
                """
                INSERT INTO schema_migrations (version, name, checksum, execution_ms)
                VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(milliseconds))
                """, logger: logger)
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        logger.notice(
            "applied migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
    }
}
