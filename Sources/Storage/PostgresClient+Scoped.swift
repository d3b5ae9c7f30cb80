import Logging
import PostgresNIO
import Synchronization

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

/// No pooled connection could be had within the wait: nothing was sent to PostgreSQL.
public struct ConnectionWaitExceeded: Error, CustomStringConvertible {
    public let wait: Duration
    public var description: String { "no PostgreSQL connection within \(wait)" }
}

extension PostgresClient {
    /// Runs `body` on a pooled connection, or throws ``ConnectionWaitExceeded`` when none is
    /// leased within `wait`. Only the wait for the connection is bounded: once `body` has its
    /// connection it runs to its end, so a caller told "nothing was stored" really stored
    /// nothing. (A bound on the whole call would answer so while a slow but healthy statement
    /// still commits, on a machine busy enough to be slow.) A pool that cannot connect queues a
    /// lease for up to a minute; this is how a request gets its prompt 503 instead.
    public func withConnection<T: Sendable>(
        leasedWithin wait: Duration, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let lease = LeaseRace()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await self.withConnection { connection in
                    guard lease.leased() else { throw CancellationError() }
                    return try await body(connection)
                }
            }
            group.addTask {
                try? await Task.sleep(for: wait)
                if lease.giveUp() { throw ConnectionWaitExceeded(wait: wait) }
                return nil
            }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
            }
            throw CancellationError()
        }
    }
}

/// Who comes first: the lease, or the end of the wait. Decided once.
private final class LeaseRace: Sendable {
    private enum State { case waiting, leased, gaveUp }
    private let state = Mutex(State.waiting)

    /// True when the lease came first (the body may run).
    func leased() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return state == .leased }
            state = .leased
            return true
        }
    }

    /// True when the wait ended first (the caller gives up).
    func giveUp() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return state == .gaveUp }
            state = .gaveUp
            return true
        }
    }
}
