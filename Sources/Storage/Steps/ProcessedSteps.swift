import Foundation
import Logging
import PostgresNIO
import Synchronization

/// `processed_step`: what a role already did for a plan, with what came of it, so that a
/// redelivered message repeats no side effect and reaches the same decision as the first time.
public struct ProcessedSteps: Sendable {
    let postgres: PostgresClient
    let logger: Logger
    /// Side effects done by this process whose record has not been written yet (PostgreSQL went
    /// away between the effect and its record): the retry records them instead of doing them
    /// again. Shared by the copies of this value, so one role's retries find them.
    private let unrecorded = Unrecorded()

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Does `step` for `plan` once: the recorded result when it was done before, else
    /// `perform`'s, recorded now. When a concurrent delivery recorded first, its result wins
    /// (and is returned), so every delivery goes on with the same one. When the record fails
    /// after `perform` succeeded, a retry in this process records that result without
    /// performing again (a 60 s PostgreSQL outage in the fault suite sent 19 Modia tasks twice
    /// before); only a process that dies in between leaves the effect to be done again.
    ///
    /// `recorded` is what the handler read of the plan's steps together with the plan
    /// (``RecordedSteps/column(plan:)``): then the question "done before?" costs no statement of
    /// its own. `recording` writes the record when it is more than the record (the status change
    /// that goes with it, in the same statement).
    public func once<Result: Codable & Sendable>(
        _ step: String, for plan: UUID, as _: Result.Type = Result.self, recorded steps: RecordedSteps? = nil, recording: StepRecording? = nil,
        _ perform: () async throws -> Result
    ) async throws -> Result {
        let key = Unrecorded.Key(step: step, plan: plan)
        let earlier: String?
        if let steps { earlier = steps.result(of: step) } else { earlier = try await result(of: step, for: plan) }
        if let recorded = earlier {
            try await recording?.recordedBefore(recorded)
            unrecorded.remove(key)
            return try JSONDecoder().decode(Result.self, from: Data(recorded.utf8))
        }
        let text: String
        if let done = unrecorded.result(key) {
            text = done
        } else {
            text = String(decoding: try JSONEncoder().encode(try await perform()), as: UTF8.self)
            unrecorded.keep(key, text)
        }
        let stored: String
        if let recording { stored = try await recording.record(text) } else { stored = try await record(step, for: plan, result: text) }
        unrecorded.remove(key)
        return try JSONDecoder().decode(Result.self, from: Data(stored.utf8))
    }

    /// Results performed and not yet recorded, by step and plan.
    final class Unrecorded: Sendable {
        struct Key: Hashable {
            var step: String
            var plan: UUID
        }
        private let results = Mutex<[Key: String]>([:])

        func result(_ key: Key) -> String? { results.withLock { $0[key] } }
        func keep(_ key: Key, _ result: String) { results.withLock { $0[key] = result } }
        func remove(_ key: Key) { _ = results.withLock { $0.removeValue(forKey: key) } }
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
        let rows = try await postgres.prepared(
            """
            WITH inserted AS (
                INSERT INTO processed_step (plan_uuid, step, result) VALUES (\(plan), \(step), \(result)::jsonb)
                ON CONFLICT (plan_uuid, step) DO NOTHING RETURNING result::text
            )
            SELECT result FROM inserted
            UNION ALL
            SELECT result::text FROM processed_step WHERE plan_uuid = \(plan) AND step = \(step) AND NOT EXISTS (SELECT 1 FROM inserted)
            """, logger: logger)
        for row in rows { return try row.decode(String.self) }
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

/// How a step's record is written when more goes with it (the status change a role's outcome
/// makes, in the record's own statement).
public struct StepRecording: Sendable {
    /// Writes the record of `result` (JSON text) and what goes with it; returns the stored result
    /// (another delivery's, when it recorded first).
    public var record: @Sendable (_ result: String) async throws -> String
    /// Told the result an earlier delivery recorded: to write again what goes with it (a replay
    /// that changes nothing, unless that delivery could not).
    public var recordedBefore: @Sendable (_ result: String) async throws -> Void

    public init(
        record: @escaping @Sendable (_ result: String) async throws -> String,
        recordedBefore: @escaping @Sendable (_ result: String) async throws -> Void
    ) {
        self.record = record
        self.recordedBefore = recordedBefore
    }
}

/// A write that goes in a step record's own statement (``StepRecording``'s statement, one round
/// trip and one transaction for both), done only when the record is this delivery's: a delivery
/// that finds another's record does not write its companion either. The lookup stores the plan's
/// PDF with its verdict this way (#28).
public struct RecordCompanion: Sendable {
    /// The data-modifying statement, as a CTE's body, given the bind number of its value. `$1` is
    /// the plan's uuid; `recorded` is the record's CTE, one row when this delivery's record was
    /// inserted (`INSERT … SELECT $1, $n FROM recorded`).
    public let statement: @Sendable (_ valueBind: Int) -> String
    /// Appends the value to the statement's binds.
    public let bind: @Sendable (inout PostgresBindings) -> Void

    public init<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value, statement: @escaping @Sendable (_ valueBind: Int) -> String) {
        self.statement = statement
        self.bind = { $0.append(value) }
    }
}

/// The recorded results of every step of one plan, read in the same statement as what a handler
/// reads of the plan anyway: the handler's "have I done this?" then needs no round trip of its own.
public struct RecordedSteps: Sendable, Equatable {
    /// Step name → its result as JSON text.
    var results: [String: String]

    /// No step was recorded.
    public static let none = RecordedSteps(results: [:])

    init(results: [String: String]) { self.results = results }

    /// Reads the value of ``column(plan:)``: NULL when no step was recorded.
    public init(column: [String]?) {
        var results: [String: String] = [:]
        for entry in column ?? [] {
            guard let space = entry.firstIndex(of: " ") else { continue }
            results[String(entry[..<space])] = String(entry[entry.index(after: space)...])
        }
        self.results = results
    }

    /// A scalar subquery giving the recorded steps of the plan whose uuid is the SQL expression
    /// `plan` (a column of the caller's query): a text array of "step result" entries, the step
    /// name (no spaces: `processed_step`'s CHECK) before the first space and the result's JSON
    /// text after it. Every handler reads it for every plan, so it is plain text, not a JSON
    /// object of JSON texts that had to go through JSONDecoder (~2 % of a channel's CPU).
    public static func column(plan: String) -> String {
        "(SELECT array_agg(step || ' ' || coalesce(result::text, 'null')) FROM processed_step WHERE plan_uuid = \(plan))"
    }

    /// The recorded result (JSON text) of `step`, or nil when it was not done.
    public func result(of step: String) -> String? { results[step] }
}
