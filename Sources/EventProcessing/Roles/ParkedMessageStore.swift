import Foundation
import Logging
import PostgresNIO

/// `parked_message`: the durable wait of the consumer roles (migration 0004). Every replica's
/// runner shares the table: a message is claimed for a while (`claimed_until`) before it runs,
/// so no two runners run it at once, and a runner that dies leaves a claim that expires.
public struct ParkedMessageStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Parks `message` for `group`, due after `delay`. Parking the same delivery again (a
    /// redelivered message) changes nothing.
    public func park(
        _ message: ParkedMessage, group: String, due delay: Duration, dependency: String?, error: String
    ) async throws {
        try await postgres.query(
            """
            INSERT INTO parked_message (consumer_group, message_key, key, source_topic, source_partition, source_offset, value, headers,
                                        attempts, due_at, dependency, last_error)
            VALUES (\(group), \(message.orderingKey), \(message.key.map { ByteBuffer(bytes: $0) }), \(message.sourceTopic),
                    \(Int(message.sourcePartition)), \(message.sourceOffset), \(message.value.map { ByteBuffer(bytes: $0) }),
                    \(try Self.headerJSON(message.headers))::jsonb, \(message.attempts), now() + \(Self.seconds(delay)) * interval '1 second',
                    \(dependency), \(error))
            ON CONFLICT (consumer_group, source_topic, source_partition, source_offset) DO NOTHING
            """, logger: logger)
    }

    /// Whether a message of this key waits for `group` (a later message of the same plan must
    /// wait behind it, never overtake it), and whether any message of `group` does.
    public func parked(key: String, group: String) async throws -> (key: Bool, groupHasAny: Bool) {
        let rows = try await postgres.query(
            """
            SELECT EXISTS (SELECT 1 FROM parked_message WHERE consumer_group = \(group) AND message_key = \(key)),
                   EXISTS (SELECT 1 FROM parked_message WHERE consumer_group = \(group))
            """, logger: logger)
        for try await (key, any) in rows.decode((Bool, Bool).self) { return (key, any) }
        return (false, false)
    }

    /// Claims up to `limit` due messages of `group` for `claim`, each the first parked of its
    /// key (so one plan's messages run in order), oldest due first.
    public func claimDue(group: String, limit: Int, claim: Duration) async throws -> [ParkedMessage] {
        let rows = try await postgres.query(
            """
            UPDATE parked_message p SET claimed_until = now() + \(Self.seconds(claim)) * interval '1 second'
            FROM (
                SELECT q.id FROM parked_message q
                WHERE q.consumer_group = \(group) AND q.due_at <= now() AND (q.claimed_until IS NULL OR q.claimed_until < now())
                  AND NOT EXISTS (
                      SELECT 1 FROM parked_message e WHERE e.consumer_group = q.consumer_group AND e.message_key = q.message_key AND e.id < q.id)
                ORDER BY q.due_at LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ) due
            WHERE p.id = due.id
            RETURNING p.id, p.source_topic, p.source_partition, p.source_offset, p.key, p.value, p.headers::text, p.attempts, p.parked_at,
                      p.dependency
            """, logger: logger)
        var claimed: [ParkedMessage] = []
        for try await (id, topic, partition, offset, key, value, headers, attempts, parkedAt, dependency)
            in rows.decode((Int64, String, Int, Int64, ByteBuffer?, ByteBuffer?, String, Int, Date, String?).self)
        {
            claimed.append(
                ParkedMessage(
                    id: id, sourceTopic: topic, sourcePartition: Int32(partition), sourceOffset: offset, key: key.map { Array(buffer: $0) },
                    value: value.map { Array(buffer: $0) },
                    headers: (try? JSONDecoder().decode([ParkedMessage.Header].self, from: Data(headers.utf8))) ?? [],
                    attempts: attempts, parkedAt: parkedAt, dependency: dependency))
        }
        return claimed.sorted { $0.id < $1.id }
    }

    /// The message is done (handled, or dead-lettered): it leaves the table.
    public func remove(_ id: Int64) async throws {
        try await postgres.query("DELETE FROM parked_message WHERE id = \(id)", logger: logger)
    }

    /// Another failed attempt: due again after `delay`, unclaimed.
    public func reschedule(_ id: Int64, attempts: Int, due delay: Duration, dependency: String?, error: String) async throws {
        try await postgres.query(
            """
            UPDATE parked_message SET attempts = \(attempts), due_at = now() + \(Self.seconds(delay)) * interval '1 second',
                claimed_until = NULL, dependency = coalesce(\(dependency), dependency), last_error = \(error)
            WHERE id = \(id)
            """, logger: logger)
    }

    /// Puts off a due message without running it (its API's circuit is open): not an attempt.
    public func postpone(_ id: Int64, due delay: Duration) async throws {
        try await postgres.query(
            "UPDATE parked_message SET due_at = now() + \(Self.seconds(delay)) * interval '1 second', claimed_until = NULL WHERE id = \(id)",
            logger: logger)
    }

    /// `dependency` answers again: every message waiting for it is due now, whatever its backoff.
    @discardableResult
    public func bringForward(dependency: String) async throws -> Int {
        let rows = try await postgres.query(
            """
            WITH moved AS (UPDATE parked_message SET due_at = now() WHERE dependency = \(dependency) AND due_at > now() RETURNING 1)
            SELECT count(*)::int8 FROM moved
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Per consumer group: how many messages wait and how long the oldest has waited.
    public func backlog() async throws -> [String: (count: Int, oldestSeconds: Double)] {
        let rows = try await postgres.query(
            """
            SELECT consumer_group, count(*)::int8, extract(epoch FROM now() - min(parked_at))::float8
            FROM parked_message GROUP BY consumer_group
            """, logger: logger)
        var backlog: [String: (count: Int, oldestSeconds: Double)] = [:]
        for try await (group, count, oldest) in rows.decode((String, Int, Double).self) { backlog[group] = (count, oldest) }
        return backlog
    }

    private static func headerJSON(_ headers: [ParkedMessage.Header]) throws -> String {
        String(decoding: try JSONEncoder().encode(headers), as: UTF8.self)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
