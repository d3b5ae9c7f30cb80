import Foundation
import Logging
import PostgresNIO
import Storage
import Synchronization

extension SubmissionStore {
    /// Whether the plan `uuid` is stored: the intake's check after a connection lost mid-answer.
    /// Nil when that cannot be told within `limit`: the whole check is bounded, and a check
    /// still running then is left to finish on its own.
    ///
    /// Asked on a connection of its own (`direct`, the database's settings) when given, not of
    /// the pool: right after one of its leased connections was lost, postgres-nio's pool
    /// (1.33.2) sometimes never hands out a connection again to that lease, cancelled or not,
    /// although others are idle (the ambiguous-commit test, 1 run in 6 to 10; the same wedge is
    /// the lead for the rare hangs of the test suite, see docs/development.md).
    public func isStored(_ uuid: UUID, within limit: Duration, direct: DatabaseConfiguration? = nil) async -> Bool? {
        let (postgres, logger) = (self.postgres, self.logger)
        let deadline = ContinuousClock.now + limit
        let sql: PostgresQuery = "SELECT count(*)::int8 FROM followup_plan WHERE uuid = \(uuid)"
        @Sendable func count(on connection: PostgresConnection) async throws -> Bool {
            for try await count in try await connection.query(sql, logger: logger).decode(Int.self) { return count == 1 }
            return false
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool?, Never>) in
            let first = FirstAnswer(continuation)
            Task {
                while ContinuousClock.now < deadline {
                    do {
                        if let direct {
                            let connection = try await PostgresConnection.connect(
                                configuration: try direct.connectionConfiguration(), id: 0, logger: logger)
                            defer { Task { try? await connection.close() } }
                            first.answer(try await count(on: connection))
                        } else {
                            first.answer(try await postgres.withConnection(leasedWithin: deadline - .now) { try await count(on: $0) })
                        }
                        return
                    } catch {
                        logger.info("looking the plan up after a lost connection failed", metadata: ["error": "\(LoggedError.text(error))"])
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                first.answer(nil)
            }
        }
    }

    /// Resumes a continuation with the first answer given; later ones are dropped.
    private final class FirstAnswer: Sendable {
        private let continuation: Mutex<CheckedContinuation<Bool?, Never>?>

        init(_ continuation: CheckedContinuation<Bool?, Never>) { self.continuation = Mutex(continuation) }

        func answer(_ value: Bool?) {
            continuation.withLock { pending in
                defer { pending = nil }
                return pending
            }?.resume(returning: value)
        }
    }
}
