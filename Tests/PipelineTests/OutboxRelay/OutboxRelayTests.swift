import Foundation
import Kafka
import KafkaMock
import Logging
import Metrics
import OutboxRelay
import PostgresNIO
import Prometheus
import Storage
import Synchronization
import TestSupport
import Testing

/// The outbox relay against real PostgreSQL and the embedded Kafka broker.
@Suite(.timeLimit(.minutes(5))) struct OutboxRelayTests {
    static let topic = "followupplan.received"

    @Test func twoRelaysPublishEveryRowExactlyOnce() async throws {
        let cluster = try KafkaTestBed(topics: [TopicSpec(name: Self.topic, partitions: 4)]).cluster
        try await TestServices.withMigratedDatabase { postgres in
            let rows = 3000
            try await Self.insertOutboxRows(rows, into: postgres)
            let registry = PrometheusCollectorRegistry()
            let relays = try (0..<2).map { _ in
                try Self.relay(postgres, cluster: cluster, registry: registry, batchSize: 100)
            }
            try await Self.whileRunning(relays) {
                // One relay publishes at a time: with a dozen suites beside it, 30 batches take a while.
                try await Self.waitUntilBacklog(is: 0, postgres, timeout: .seconds(90))
            }
            let numbers = try await Self.consumeNumbers(rows, from: cluster)
            #expect(numbers.count == rows, "every row once, no duplicates")
            #expect(Set(numbers) == Set(1...rows))
            #expect(try await Self.scalar("SELECT count(*)::int8 FROM outbox WHERE published_at IS NULL", postgres) == 0)
            #expect(registry.emitToString().contains("mottak_outbox_published_total \(rows)"))
        }
        withExtendedLifetime(cluster) {}
    }

    @Test func withTheBrokerDownRowsWaitAndArePublishedWhenItIsBack() async throws {
        let cluster = try KafkaTestBed(topics: [TopicSpec(name: Self.topic, partitions: 4)]).cluster
        try await TestServices.withMigratedDatabase { postgres in
            let rows = 200
            try await Self.insertOutboxRows(rows, into: postgres)
            try cluster.setBrokerDown(1)
            let registry = PrometheusCollectorRegistry()
            let relay = try Self.relay(postgres, cluster: cluster, registry: registry, batchSize: 50, messageTimeout: "1500")
            try await Self.whileRunning([relay]) {
                // Failed attempts are recorded on the rows, which stay unpublished.
                try await eventually("a failed attempt", timeout: .seconds(30)) {
                    try await Self.scalar("SELECT count(*)::int8 FROM outbox WHERE attempts > 0 AND last_error IS NOT NULL", postgres) > 0
                }
                #expect(try await Self.scalar("SELECT count(*)::int8 FROM outbox WHERE published_at IS NOT NULL", postgres) == 0)
                try cluster.setBrokerUp(1)
                try await Self.waitUntilBacklog(is: 0, postgres, timeout: .seconds(60))
            }
            let numbers = try await Self.consumeNumbers(rows, from: cluster)
            #expect(Set(numbers) == Set(1...rows), "nothing lost")
            #expect(registry.emitToString().contains("mottak_outbox_publish_failures_total"))
        }
        withExtendedLifetime(cluster) {}
    }

    /// As NAIS runs it: three replicas' relays on one outbox while plans keep arriving. No batch
    /// fails (a row committed while a relay's transaction was open was once refused by the
    /// CHECK published_at >= created_at, failing and re-sending the whole batch), every row goes
    /// out once, and each writer's rows (one plan's events) arrive in the order written.
    @Test func threeRelaysWithConcurrentWritersFailNoBatchAndKeepEachKeysOrder() async throws {
        let cluster = try KafkaTestBed(topics: [TopicSpec(name: Self.topic, partitions: 4)]).cluster
        try await TestServices.withMigratedDatabase { postgres in
            let writers = 3
            let rowsPerWriter = 100
            let registry = PrometheusCollectorRegistry()
            let relays = try (0..<3).map { _ in try Self.relay(postgres, cluster: cluster, registry: registry, batchSize: 20) }
            try await Self.whileRunning(relays) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            for sequence in 1...rowsPerWriter {
                                let payload = #"{"n": \#(writer * rowsPerWriter + sequence), "writer": \#(writer), "sequence": \#(sequence)}"#
                                // One transaction per row that stays open a little, as the intake's does.
                                try await postgres.transaction(logger: TestServices.logger) { connection in
                                    try await connection.query(
                                        """
                                        INSERT INTO outbox (topic, message_key, payload)
                                        VALUES (\(Self.topic), \("writer-\(writer)"), \(payload)::jsonb)
                                        """, logger: TestServices.logger)
                                    try await connection.query("SELECT pg_sleep(0.003)", logger: TestServices.logger)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                try await Self.waitUntilBacklog(is: 0, postgres, timeout: .seconds(90))
            }
            let values = try await Self.consumeValues(writers * rowsPerWriter, from: cluster)
            #expect(values.count == writers * rowsPerWriter, "every row once, no duplicates")
            #expect(Set(values.map(\.n)) == Set(1...(writers * rowsPerWriter)))
            for writer in 0..<writers {
                let written = values.filter { $0.writer == writer }.map(\.sequence)
                #expect(written == Array(1...rowsPerWriter), "writer \(writer)'s rows in the order written")
            }
            #expect(try await Self.scalar("SELECT count(*)::int8 FROM outbox WHERE attempts > 0", postgres) == 0, "no row was in a failed batch")
            #expect(!registry.emitToString().contains("mottak_outbox_publish_failures_total 1"))
        }
        withExtendedLifetime(cluster) {}
    }

    /// A row created after the relay's transaction began (its writer started later and committed
    /// before the relay read the table: seen with three replicas on a busy machine) is marked
    /// published like any other. `published_at = now()` (the relay transaction's start) broke
    /// the CHECK published_at >= created_at and failed the whole batch. The later start is
    /// stated here by the row's created_at, so the test does not depend on the machine's timing.
    @Test func aRowCreatedAfterTheRelaysTransactionBeganIsMarkedPublished() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            try await postgres.query(
                "INSERT INTO outbox (topic, message_key, payload, created_at) VALUES (\(Self.topic), 'late', '{}', now() + interval '2 seconds')")
            let store = OutboxStore(postgres: postgres, logger: TestServices.logger)
            let result = try await store.publishNextBatch(limit: 10) { batch in
                Dictionary(uniqueKeysWithValues: batch.map { ($0.id, String?.none) })
            }
            #expect(result.rows == 1 && result.failed == 0)
            #expect(try await Self.scalar("SELECT count(*)::int8 FROM outbox WHERE published_at >= created_at", postgres) == 1)
        }
    }

    /// The publishing lock is the relays' only coordination: while one holds it, another takes
    /// no rows at all (and would not publish a plan's later event before its earlier one).
    @Test func aRelayThatDoesNotHoldThePublishingLockTakesNoRows() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            try await Self.insertOutboxRows(5, into: postgres)
            let store = OutboxStore(postgres: postgres, logger: TestServices.logger)
            let standby = try await postgres.transaction(logger: TestServices.logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(OutboxStore.relayLock))", logger: TestServices.logger)
                return try await store.publishNextBatch(limit: 10) { _ in [:] }
            }
            #expect(standby.isStandby && standby.rows == 0)
            let active = try await store.publishNextBatch(limit: 10) { batch in
                Dictionary(uniqueKeysWithValues: batch.map { ($0.id, String?.none) })
            }
            #expect(!active.isStandby && active.rows == 5 && active.failed == 0)
        }
    }

    /// A row that keeps failing while others are published is held back after its bound, with
    /// the later rows of its key; the others go on; once it is due (and fixed) it leaves first,
    /// then the rows behind it, in order. During an outage (every row failing) nothing is held.
    @Test func aRowThatKeepsFailingIsHeldBackWithItsKeyAndTheOthersGoOn() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let store = OutboxStore(postgres: postgres, logger: TestServices.logger)
            let hold = {
                var hold = OutboxStore.Hold()
                hold.afterAttempts = 2
                return hold
            }()
            @Sendable func insert(_ key: String, _ label: String) async throws {
                try await postgres.query(
                    "INSERT INTO outbox (topic, message_key, payload) VALUES (\(Self.topic), \(key), jsonb_build_object('label', \(label)::text))")
            }
            let sent = SentLabels()
            @Sendable func batch(failing bad: Bool = true) async throws -> OutboxStore.BatchResult {
                try await store.publishNextBatch(limit: 10, hold: hold) { rows in
                    var outcomes: [Int64: String?] = [:]
                    for row in rows {
                        if row.payload.contains("bad") || !bad {
                            outcomes[row.id] = .some("Broker: Message size too large")
                        } else {
                            outcomes[row.id] = .some(nil)
                            sent.append(row.payload)
                        }
                    }
                    return outcomes
                }
            }
            try await insert("k1", "a")
            try await insert("k2", "bad")
            try await insert("k3", "c")
            // Every row failing (an outage): attempts are counted, nothing is held.
            let outage = try await batch(failing: false)
            #expect(outage.failed == 3 && outage.held == 0)
            let first = try await batch()
            #expect(first.failed == 1 && first.held == 1, "its second failure, beside published rows: held")
            try await insert("k2", "d, behind the held row")
            try await insert("k4", "e")
            let second = try await batch()
            #expect(second.rows == 1 && second.failed == 0, "only e: the held row and the later row of its key wait")
            #expect(try await store.backlog().held == 1)
            #expect(sent.labels == ["a", "c", "e"])

            // The cause is fixed and the hold has passed: the held row leaves first, then its key's later row.
            try await postgres.query(
                "UPDATE outbox SET payload = '{\"label\":\"b\"}', held_until = now() - interval '1 second' WHERE payload->>'label' = 'bad'")
            let third = try await batch()
            #expect(third.rows == 2 && third.failed == 0 && third.held == 0)
            #expect(sent.labels == ["a", "c", "e", "b", "d, behind the held row"])
            let backlog = try await store.backlog()
            #expect(backlog.count == 0 && backlog.held == 0)
        }
    }

    /// A message the broker refuses (over `message.max.bytes`) beside ordinary ones: the relay
    /// holds it back and goes on without backing off; the others are published.
    @Test func theRelayHoldsBackAMessageTheBrokerRefusesAndPublishesTheRest() async throws {
        let cluster = try KafkaTestBed(topics: [TopicSpec(name: Self.topic, partitions: 4)]).cluster
        try await TestServices.withMigratedDatabase { postgres in
            try await Self.insertOutboxRows(50, into: postgres)
            try await postgres.query(
                "INSERT INTO outbox (topic, message_key, payload) VALUES (\(Self.topic), 'huge', jsonb_build_object('n', 0, 'x', repeat('x', 1200000)))"
            )
            try await Self.insertOutboxRows(50, into: postgres)
            let registry = PrometheusCollectorRegistry()
            let relay = try Self.relay(postgres, cluster: cluster, registry: registry, batchSize: 20, holdAfter: 2)
            try await Self.whileRunning([relay]) {
                try await Self.waitUntilBacklog(is: 1, postgres, timeout: .seconds(60))
                try await eventually("the held-rows gauge", timeout: .seconds(10)) {
                    registry.emitToString().contains("mottak_outbox_held_rows 1")
                }
            }
            #expect(try await Self.scalar("SELECT count(*)::int8 FROM outbox WHERE held_until > now() AND message_key = 'huge'", postgres) == 1)
            #expect(try await Self.scalar("SELECT attempts::int8 FROM outbox WHERE message_key = 'huge'", postgres) == 2)
            let numbers = try await Self.consumeNumbers(100, from: cluster)
            #expect(numbers.count == 100 && !numbers.contains(0))
        }
        withExtendedLifetime(cluster) {}
    }

    /// The labels a test's publish closure "sent", in order.
    final class SentLabels: Sendable {
        private let state = Mutex<[String]>([])
        func append(_ payload: String) {
            let label = (try? JSONDecoder().decode([String: String].self, from: Data(payload.utf8)))?["label"] ?? payload
            state.withLock { $0.append(label) }
        }
        var labels: [String] { state.withLock { $0 } }
    }

    // MARK: - Helpers

    static func relay(
        _ postgres: PostgresClient, cluster: EmbeddedKafkaCluster, registry: PrometheusCollectorRegistry, batchSize: Int,
        messageTimeout: String = "10000", holdAfter: Int = 5, adjust: (inout OutboxRelayService.Settings) -> Void = { _ in }
    ) throws -> OutboxRelayService {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, properties: ["message.timeout.ms": messageTimeout]),
            logger: TestServices.logger)
        var settings = OutboxRelayService.Settings()
        settings.batchSize = batchSize
        settings.initialBackoff = .milliseconds(100)
        settings.maximumBackoff = .milliseconds(500)
        settings.metricsInterval = .milliseconds(200)
        settings.hold.afterAttempts = holdAfter
        adjust(&settings)
        return OutboxRelayService(
            store: OutboxStore(postgres: postgres, logger: TestServices.logger), producer: producer, settings: settings,
            metricsFactory: PrometheusMetricsFactory(registry: registry), logger: TestServices.logger)
    }

    /// Runs the relays while `body` runs, then cancels them.
    static func whileRunning(_ relays: [OutboxRelayService], _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for relay in relays { group.addTask { try await relay.run() } }
            defer { group.cancelAll() }
            try await body()
        }
    }

    static func insertOutboxRows(_ count: Int, into postgres: PostgresClient) async throws {
        try await postgres.query(
            """
            INSERT INTO outbox (topic, message_key, payload)
            SELECT \(topic), 'plan-' || (n % 97), jsonb_build_object('n', n) FROM generate_series(1, \(count)) AS n
            """)
    }

    static func consumeNumbers(_ expected: Int, from cluster: EmbeddedKafkaCluster) async throws -> [Int] {
        try await consumeValues(expected, from: cluster).map(\.n)
    }

    /// A test row's payload: its number, and for rows of the writers test who wrote it when.
    struct Payload: Decodable {
        var n: Int
        var writer: Int?
        var sequence: Int?
    }

    /// The payloads on the topic, in the order consumed (per partition, the order written), and
    /// one marker `n: -1` more if anything arrived beyond `expected`.
    static func consumeValues(_ expected: Int, from cluster: EmbeddedKafkaCluster) async throws -> [Payload] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(
                bootstrapServers: cluster.bootstrapServers, properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]),
            consumer: .init(groupID: "check-\(UUID())", topics: [topic]), logger: TestServices.logger)
        var numbers = try await withThrowingTaskGroup(of: [Payload].self) { group in
            group.addTask {
                var values: [Payload] = []
                for try await message in consumer.messages {
                    values.append(try JSONDecoder().decode(Payload.self, from: Data(message.value ?? [])))
                    if values.count == expected { break }
                }
                return values
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw MissingTestService(description: "timed out consuming the relay's messages")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        // Anything beyond `expected` would be a duplicate: give it a moment to show up.
        let extra = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                for try await message in consumer.messages { return Int(message.offset) }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(1))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        if extra != nil { numbers.append(Payload(n: -1)) }
        await consumer.close()
        return numbers
    }

    static func waitUntilBacklog(is count: Int, _ postgres: PostgresClient, timeout: Duration = .seconds(30)) async throws {
        try await eventually("backlog \(count)", timeout: timeout) {
            try await scalar("SELECT count(*)::int8 FROM outbox WHERE published_at IS NULL", postgres) == count
        }
    }

    static func scalar(_ sql: String, _ postgres: PostgresClient) async throws -> Int {
        for try await value in try await postgres.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self) { return value }
        return -1
    }

}
