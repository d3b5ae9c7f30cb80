import Foundation
import Logging
import PostgresNIO

/// The outbox relay's access to the `outbox` table.
public struct OutboxStore: Sendable {
    /// How many rows wait and how long the oldest has waited (zero when none wait).
    public struct Backlog: Sendable, Equatable {
        public var count: Int
        public var oldestAge: Duration
        /// Rows held back because they kept failing (``Hold``), part of `count`.
        public var held = 0
    }

    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// What one batch did.
    public struct BatchResult: Sendable, Equatable {
        /// Rows handed to the publisher.
        public var rows: Int
        /// Rows the broker did not acknowledge; they stay unpublished with the error recorded.
        public var failed: Int
        /// The first failed row's error, for the log.
        public var firstError: String?
        /// Another relay held ``OutboxStore/relayLock``: this one sent nothing and waits.
        public var isStandby = false
        /// Failed rows held back this time (``Hold``); they do not slow the rows behind them.
        public var held = 0
    }

    /// When a row that keeps failing is held back: after `afterAttempts` failed attempts in a
    /// batch where other rows were published (so it is the row, not Kafka: during an outage
    /// every row fails and none is held), for `initialDuration`, doubling with each further
    /// failure up to `maximumDuration`.
    public struct Hold: Sendable {
        public var afterAttempts = 5
        public var initialDuration: Duration = .seconds(30)
        public var maximumDuration: Duration = .seconds(600)

        public init() {}

        /// How long a row is held after its `attempts`-th failure.
        func duration(afterAttempts attempts: Int) -> Duration {
            let doublings = min(max(attempts - afterAttempts, 0), 20)
            return min(initialDuration * (1 << doublings), maximumDuration)
        }
    }

    /// The advisory lock key the publishing relay holds for its batch ('outbox' in ASCII).
    public static let relayLock: Int64 = 0x6F75_7462_6F78

    private func takeRelayLock(on connection: PostgresConnection) async throws -> Bool {
        for row in try await connection.prepared("SELECT pg_try_advisory_xact_lock(\(Self.relayLock))", logger: logger) {
            return try row.decode(Bool.self)
        }
        return false
    }

    /// Locks up to `limit` unpublished rows in id order, lets `publish` send them, and records
    /// the outcome in the same transaction: published rows get `published_at`, failed ones one
    /// more attempt and the error. A relay that dies mid-batch leaves its rows unpublished (its
    /// transaction rolls back) for the next one to send again.
    ///
    /// One relay at a time: the batch's transaction first takes ``relayLock`` (a transaction
    /// advisory lock, released at COMMIT or when the connection dies) and a relay that does not
    /// get it publishes nothing this round. Relays that split the table with `SKIP LOCKED`
    /// would each send in id order, but one plan's later status event could leave through one
    /// relay before its earlier one through another. Every replica runs a relay, so the lock
    /// passes to another at once when the holder dies.
    ///
    /// `publish` answers, per row id, nil when the broker acknowledged it or the error's text;
    /// a row it does not mention counts as failed.
    ///
    /// A row that keeps failing while others are published is held back (``Hold``): it and the
    /// later rows of its topic and key are left out of batches until `held_until`.
    public func publishNextBatch(
        limit: Int, hold: Hold = Hold(),
        _ publish: @Sendable ([OutboxMessage]) async -> [Int64: String?]
    ) async throws -> BatchResult {
        try await postgres.transaction(logger: logger) { connection in
            guard try await takeRelayLock(on: connection) else { return BatchResult(rows: 0, failed: 0, firstError: nil, isStandby: true) }
            let batch = try await lockBatch(limit: limit, on: connection)
            guard !batch.isEmpty else { return BatchResult(rows: 0, failed: 0, firstError: nil, isStandby: false) }
            let outcomes = await publish(batch)
            var published: [Int64] = []
            var failed: [Int64] = []
            var errors: [String] = []
            for row in batch {
                if case .some(.none) = outcomes[row.id] {
                    published.append(row.id)
                } else {
                    failed.append(row.id)
                    errors.append(outcomes[row.id].flatMap { $0 } ?? "no delivery report")
                }
            }
            if !published.isEmpty {
                // Not now(): that is this transaction's start, and a row committed after it began
                // was created later (the CHECK published_at >= created_at refused whole batches
                // whenever intake and relay overlapped).
                _ = try await connection.prepared(
                    "UPDATE outbox SET published_at = greatest(clock_timestamp(), created_at) WHERE id = ANY(\(published))", logger: logger)
            }
            var held: [Int64] = []
            var heldFor: [Double] = []
            if !published.isEmpty {
                for row in batch where failed.contains(row.id) && row.attempts + 1 >= hold.afterAttempts {
                    held.append(row.id)
                    heldFor.append(Double(hold.duration(afterAttempts: row.attempts + 1).components.seconds))
                }
            }
            if !failed.isEmpty {
                // -1: not held (an array of optionals cannot be bound).
                let holdSeconds = failed.map { id in held.firstIndex(of: id).map { heldFor[$0] } ?? -1 }
                try await connection.query(
                    """
                    UPDATE outbox SET attempts = attempts + 1, last_error = failure.error,
                        held_until = CASE WHEN failure.hold_seconds < 0 THEN NULL
                                          ELSE clock_timestamp() + make_interval(secs => failure.hold_seconds) END
                    FROM unnest(\(failed)::int8[], \(errors)::text[], \(holdSeconds)::float8[]) AS failure(id, error, hold_seconds)
                    WHERE outbox.id = failure.id
                    """, logger: logger)
            }
            return BatchResult(rows: batch.count, failed: failed.count, firstError: errors.first, isStandby: false, held: held.count)
        }
    }

    private func lockBatch(limit: Int, on connection: PostgresConnection) async throws -> [OutboxMessage] {
        let rows = try await connection.prepared(
            """
            SELECT id, topic, message_key, payload::text, headers::text, created_at, attempts
            FROM outbox o WHERE published_at IS NULL AND (held_until IS NULL OR held_until <= now())
                AND NOT EXISTS (
                    SELECT 1 FROM outbox h
                    WHERE h.published_at IS NULL AND h.held_until IS NOT NULL AND h.held_until > now()
                        AND h.topic = o.topic AND h.message_key = o.message_key AND h.id < o.id)
            ORDER BY id LIMIT \(limit)
            FOR UPDATE
            """, logger: logger)
        var batch: [OutboxMessage] = []
        for row in rows {
            let (id, topic, key, payload, headers, createdAt, attempts) = try row.decode((Int64, String, String, String, String, Date, Int).self)
            let headerValues = (try? JSONDecoder().decode([String: String].self, from: Data(headers.utf8))) ?? [:]
            batch.append(
                OutboxMessage(
                    id: id, topic: topic, key: key, payload: payload, headers: headerValues, createdAt: createdAt, attempts: attempts))
        }
        return batch
    }

    public func backlog() async throws -> Backlog {
        let rows = try await postgres.query(
            """
            SELECT count(*)::int8, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8,
                   count(*) FILTER (WHERE held_until IS NOT NULL)::int8
            FROM outbox WHERE published_at IS NULL
            """, logger: logger)
        for try await (count, seconds, held) in rows.decode((Int, Double, Int).self) {
            return Backlog(count: count, oldestAge: .milliseconds(Int64((seconds * 1000).rounded())), held: held)
        }
        return Backlog(count: 0, oldestAge: .zero)
    }

    /// Deletes rows published longer than `age` ago; the plan and status tables keep the facts.
    @discardableResult
    public func deletePublished(olderThan age: Duration) async throws -> Int {
        let seconds = Double(age.components.seconds)
        let rows = try await postgres.query(
            """
            WITH gone AS (DELETE FROM outbox WHERE published_at < now() - make_interval(secs => \(seconds)) RETURNING 1)
            SELECT count(*)::int8 FROM gone
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
