import Logging
import PostgresNIO

/// Runs `body` with a running PostgreSQL pool and shuts the pool down afterwards, for one-shot
/// commands (`mottak migrate`) and tests that have no service group.
public func withPostgresClient<T: Sendable>(
    _ database: DatabaseConfiguration,
    logger: Logger,
    _ body: @escaping @Sendable (PostgresClient) async throws -> T
) async throws -> T {
    let client = PostgresClient(configuration: try database.clientConfiguration(), backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            await client.run()
            return nil
        }
        defer { group.cancelAll() }
        try await PostgresClient.waitForRunToBegin()
        return try await body(client)
    }
}

extension PostgresClient {
    /// Code that starts at the same moment as the client's `run()` (the next service in a
    /// service group, or the body above) waits this briefly before its first query. Such a
    /// query would work anyway (it waits for the pool), but postgres-nio logs a warning that
    /// `run()` was not called, which would mislead whoever reads the start-up log.
    public static func waitForRunToBegin() async throws {
        try await Task.sleep(for: .milliseconds(50))
    }
}

extension PostgresClient {
    /// Runs `body` in a transaction on one pooled connection: committed when `body` returns,
    /// rolled back when it throws, and then `body`'s own error is rethrown (postgres-nio's
    /// `withTransaction` wraps it in a transaction error, which callers cannot match on).
    public func transaction<T: Sendable>(
        logger: Logger, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
