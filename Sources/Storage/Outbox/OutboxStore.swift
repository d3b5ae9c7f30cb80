import Foundation
import Logging
import PostgresNIO

/// One event waiting in the `outbox` table.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    public var topic: String
    public var key: String
    /// The JSON value, byte for byte as the writer stored it.
    public var payload: String
    public var headers: [String: String]
    public var createdAt: Date
    /// Earlier publishing attempts that failed.
    public var attempts: Int

    public init(id: Int64, topic: String, key: String, payload: String, headers: [String: String], createdAt: Date, attempts: Int) {
        self.id = id
        self.topic = topic
        self.key = key
        self.payload = payload
        self.headers = headers
        self.createdAt = createdAt
        self.attempts = attempts
    }
}

/// The outbox relay's access to the `outbox` table.
public struct OutboxStore: Sendable {
    /// How many rows wait and how long the oldest has waited (zero when none wait).
    public struct Backlog: Sendable, Equatable {
        public var count: Int
        public var oldestAge: Duration
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
    }

    /// Locks up to `limit` unpublished rows in id order, lets `publish` send them, and records
    /// the outcome in the same transaction: published rows get `published_at`, failed ones one
    /// more attempt and the error. Rows locked by another relay are skipped (`SKIP LOCKED`), so
    /// relays never send the same row at the same time; a relay that dies mid-batch leaves its
    /// rows unpublished (its transaction rolls back) for the next one to send again.
    ///
    /// `publish` answers, per row id, nil when the broker acknowledged it or the error's text;
    /// a row it does not mention counts as failed.
    public func publishNextBatch(
        limit: Int,
        _ publish: @Sendable ([OutboxMessage]) async -> [Int64: String?]
    ) async throws -> BatchResult {
        try await postgres.transaction(logger: logger) { connection in
            let batch = try await lockBatch(limit: limit, on: connection)
            guard !batch.isEmpty else { return BatchResult(rows: 0, failed: 0, firstError: nil) }
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
                try await connection.query("UPDATE outbox SET published_at = now() WHERE id = ANY(\(published))", logger: logger)
            }
            if !failed.isEmpty {
                try await connection.query(
                    """
                    UPDATE outbox SET attempts = attempts + 1, last_error = failure.error
                    FROM unnest(\(failed)::int8[], \(errors)::text[]) AS failure(id, error) WHERE outbox.id = failure.id
                    """, logger: logger)
            }
            return BatchResult(rows: batch.count, failed: failed.count, firstError: errors.first)
        }
    }

    private func lockBatch(limit: Int, on connection: PostgresConnection) async throws -> [OutboxMessage] {
        let rows = try await connection.query(
            """
            SELECT id, topic, message_key, payload::text, headers::text, created_at, attempts
            FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var batch: [OutboxMessage] = []
        for try await (id, topic, key, payload, headers, createdAt, attempts)
            in rows.decode((Int64, String, String, String, String, Date, Int).self)
        {
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
            SELECT count(*)::int8, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
            FROM outbox WHERE published_at IS NULL
            """, logger: logger)
        for try await (count, seconds) in rows.decode((Int, Double).self) {
            return Backlog(count: count, oldestAge: .milliseconds(Int64((seconds * 1000).rounded())))
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
