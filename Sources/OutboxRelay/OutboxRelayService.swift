import Domain
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Storage

/// The `outbox-relay` role: a loop that takes the oldest unpublished outbox rows, sends them
/// with the idempotent producer (acks=all) and records the outcome.
///
/// - Every replica runs a relay, and one publishes at a time (``Storage/OutboxStore/relayLock``,
///   taken per batch); the others look again every `standbyInterval`, so one takes over within
///   that when the publisher dies. A row is marked published in the transaction that sent it; a
///   relay killed mid-batch leaves its rows unmarked for the next to send again (at-least-once;
///   consumers are idempotent on the plan uuid).
/// - Rows go out in id order, one partition per key, so events of one plan keep their order,
///   also across relays.
/// - Kafka down: the batch fails after the producer's `message.timeout.ms`, the rows get an
///   attempt and the error, and the relay backs off (doubling up to `maximumBackoff`) before it
///   tries again.
/// - A row that keeps failing while the others are published (the broker refuses that one
///   message) is held back after a few attempts (``Storage/OutboxStore/Hold``), with the later
///   rows of its key, so it neither fails nor slows every batch behind it; it is tried again,
///   less and less often, and `mottak_outbox_held_rows` with the log's error says which.
/// - An empty outbox is looked at again every `idleInterval`. Where every role runs in the same
///   process (NAIS runs every role in every replica), the outbox's writers nudge the relay when
///   they commit a row (``Storage/OutboxWake``), so it sends the row within a `tick` and
///   otherwise polls once a second (``RelaySchedule``).
/// - On graceful shutdown it finishes the batch in hand and stops.
public struct OutboxRelayService: Service {
    public struct Settings: Sendable {
        /// Rows per batch (one transaction, one Kafka round per topic).
        public var batchSize = 500
        /// Pause when the outbox is empty (and nothing nudges the relay).
        public var idleInterval: Duration = .milliseconds(50)
        /// Pause after a batch that sent rows (more may be on their way), and how soon a nudge
        /// is seen.
        public var tick: Duration = .milliseconds(50)
        /// The nudges of this process's outbox writers (``Storage/OutboxWake``); with them the
        /// relay can poll seldom (`idleInterval`) and still send a new row within a `tick`.
        public var wake: OutboxWake?
        /// Pause when another relay holds the publishing lock.
        public var standbyInterval: Duration = .milliseconds(500)
        public var initialBackoff: Duration = .milliseconds(500)
        public var maximumBackoff: Duration = .seconds(10)
        /// How often the backlog metrics are read from the table.
        public var metricsInterval: Duration = .seconds(5)
        /// Published rows are deleted after this long (the plan and status tables keep the facts).
        public var publishedRetention: Duration = .seconds(7 * 24 * 3600)
        /// When a row that keeps failing is held back.
        public var hold = OutboxStore.Hold()

        public init() {}
    }

    let store: OutboxStore
    let producer: KafkaProducer
    let settings: Settings
    let metrics: OutboxRelayMetrics
    let logger: Logger

    public init(
        store: OutboxStore, producer: KafkaProducer, settings: Settings = .init(), metricsFactory: any MetricsFactory, logger: Logger
    ) {
        self.store = store
        self.producer = producer
        self.settings = settings
        self.metrics = OutboxRelayMetrics(factory: metricsFactory)
        self.logger = logger
    }

    public func run() async throws {
        var schedule = RelaySchedule(settings, now: .now)
        var nextHousekeeping = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if nextHousekeeping <= .now {
                await housekeeping()
                nextHousekeeping = .now + settings.metricsInterval
            }
            // Taken between polls: a nudge that comes during one stays for the next.
            if settings.wake?.take() == true { schedule.nudged(now: .now) }
            if schedule.nextPoll <= .now {
                do {
                    let result = try await publishOneBatch()
                    let found: RelaySchedule.Poll =
                        result.isStandby ? .standby : result.failed > result.held ? .failed : .sent(result.sent)
                    schedule.polled(found, now: .now)
                } catch {
                    // Cancelled (the shutdown's grace ran out): the batch rolled back; not a failure.
                    if Task.isCancelled { break }
                    logger.error("outbox batch failed; retrying", metadata: ["error": "\(LoggedError.text(error))"])
                    schedule.polled(.failed, now: .now)
                }
            }
            // Asleep until the next poll; with nudges to look for, a tick at most.
            let untilPoll = schedule.nextPoll - .now
            let pause = settings.wake == nil ? untilPoll : min(untilPoll, settings.tick)
            if pause > .zero {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
        logger.notice("outbox relay stopped")
    }

    /// One batch: lock, send, record. Returns how many rows were sent and how many failed.
    func publishOneBatch() async throws -> (sent: Int, failed: Int, isStandby: Bool, held: Int) {
        let result = try await store.publishNextBatch(limit: settings.batchSize, hold: settings.hold) { [producer] batch in
            await Self.publish(batch, with: producer)
        }
        if result.failed > 0 {
            logger.warning(
                "outbox rows not acknowledged; they stay in the outbox and are retried",
                metadata: ["failed": "\(result.failed)", "of": "\(result.rows)", "error": "\(result.firstError ?? "")"])
        }
        if result.held > 0 {
            logger.error(
                "outbox rows keep failing while others are published; held back with the later rows of their plan, tried again later (see RUNBOOK.md)",
                metadata: ["held": "\(result.held)", "error": "\(result.firstError ?? "")"])
        }
        metrics.published.increment(by: Int64(result.rows - result.failed))
        metrics.failed.increment(by: Int64(result.failed))
        return (result.rows, result.failed, result.isStandby, result.held)
    }

    /// Sends each topic's rows as one ordered batch; topics in parallel.
    static func publish(_ batch: [OutboxMessage], with producer: KafkaProducer) async -> [Int64: String?] {
        let byTopic = Dictionary(grouping: batch, by: \.topic)
        return await withTaskGroup(of: [Int64: String?].self) { group in
            for (topic, rows) in byTopic {
                group.addTask {
                    let messages = rows.map { row in
                        KafkaOutgoingMessage(
                            key: Array(row.key.utf8), value: Array(row.payload.utf8),
                            headers: row.headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, value: $0.value) })
                    }
                    let results = await producer.send(messages, to: topic)
                    var outcomes: [Int64: String?] = [:]
                    for (row, result) in zip(rows, results) {
                        switch result {
                        case .success: outcomes[row.id] = .some(nil)
                        case .failure(let error): outcomes[row.id] = .some("\(error)")
                        }
                    }
                    return outcomes
                }
            }
            var all: [Int64: String?] = [:]
            for await outcomes in group { all.merge(outcomes) { $1 } }
            return all
        }
    }

    private func housekeeping() async {
        do {
            let backlog = try await store.backlog()
            metrics.backlog.record(backlog.count)
            metrics.held.record(backlog.held)
            metrics.oldestAge.record(Double(backlog.oldestAge.components.seconds) + Double(backlog.oldestAge.components.attoseconds) / 1e18)
            try await store.deletePublished(olderThan: settings.publishedRetention)
        } catch {
            logger.warning("could not read the outbox backlog", metadata: ["error": "\(error)"])
        }
    }
}
