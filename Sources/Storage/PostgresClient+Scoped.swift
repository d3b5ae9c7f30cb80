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
        return try await body(client)
    }
}
