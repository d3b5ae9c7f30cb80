import Foundation
import Logging
import PostgresNIO

/// `processed_step`: what a role already did for a plan, with what came of it, so that a
/// redelivered message repeats no side effect and reaches the same decision as the first time.
public struct ProcessedSteps: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Does `step` for `plan` once: the recorded result when it was done before, else
    /// `perform`'s, recorded now. When a concurrent delivery recorded first, its result wins
    /// (and is returned), so every delivery goes on with the same one.
    public func once<Result: Codable & Sendable>(
        _ step: String, for plan: UUID, as _: Result.Type = Result.self, _ perform: () async throws -> Result
    ) async throws -> Result {
        if let recorded = try await result(of: step, for: plan) { return try JSONDecoder().decode(Result.self, from: Data(recorded.utf8)) }
        let value = try await perform()
        let stored = try await record(step, for: plan, result: String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
        return try JSONDecoder().decode(Result.self, from: Data(stored.utf8))
    }

    /// The recorded result (JSON text) of `step` for `plan`, or nil when it was not done.
    public func result(of step: String, for plan: UUID) async throws -> String? {
        let rows = try await postgres.query(
            "SELECT coalesce(result::text, 'null') FROM processed_step WHERE plan_uuid = \(plan) AND step = \(step)", logger: logger)
        for try await result in rows.decode(String.self) { return result }
        return nil
    }

    /// Removes the record of `step` (a note that turned out not to be needed).
    public func forget(_ step: String, for plan: UUID) async throws {
        try await postgres.query("DELETE FROM processed_step WHERE plan_uuid = \(plan) AND step = \(step)", logger: logger)
    }

    /// Records `step` as done with `result` (JSON text). The first record wins: returns the
    /// result that is stored now, which is another one when a concurrent delivery got there first.
    public func record(_ step: String, for plan: UUID, result: String) async throws -> String {
        let rows = try await postgres.query(
            """
            WITH inserted AS (
                INSERT INTO processed_step (plan_uuid, step, result) VALUES (\(plan), \(step), \(result)::jsonb)
                ON CONFLICT (plan_uuid, step) DO NOTHING RETURNING result::text
            )
            SELECT result FROM inserted
            UNION ALL
            SELECT result::text FROM processed_step WHERE plan_uuid = \(plan) AND step = \(step) AND NOT EXISTS (SELECT 1 FROM inserted)
            """, logger: logger)
        for try await stored in rows.decode(String.self) { return stored }
        return result
    }

    /// Replaces the record of `step` with `result` only while it still is `expected`: true when
    /// it did. Two deliveries that both found the same stale record cannot both take it over.
    public func replace(_ step: String, for plan: UUID, expected: String, with result: String) async throws -> Bool {
        let rows = try await postgres.query(
            """
            UPDATE processed_step SET result = \(result)::jsonb
            WHERE plan_uuid = \(plan) AND step = \(step) AND result = \(expected)::jsonb
            RETURNING 1
            """, logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }
}
