import Kafka
import Metrics

/// What a consuming role records, per consumer group: `mottak_messages_total{consumer_group,
/// result}` (result: `processed`, `dead_lettered`), `mottak_message_retries_total{consumer_group}`,
/// `mottak_dead_letters_total{consumer_group, reason}` (reason: `poison`, `retries_exhausted`),
/// and `mottak_consumer_lag_messages{consumer_group, topic, partition}` for the partitions this
/// member owns (KEDA scales on the broker's view of the same lag). Of the concurrent
/// processing: `mottak_consumer_messages_in_flight{consumer_group, state}` (state: `at_work`,
/// `waiting` behind a message of the same plan), `mottak_consumer_oldest_in_flight_seconds`
/// `{consumer_group}` (0 when idle; a stuck handler shows as a growing age), and
/// `mottak_consumer_paused_partitions{consumer_group}` (backpressure).
struct ConsumerMetrics: Sendable {
    let group: String
    let factory: any MetricsFactory

    func processed() {
        Counter(label: "mottak_messages_total", dimensions: [("consumer_group", group), ("result", "processed")], factory: factory).increment()
    }

    func retried() {
        Counter(label: "mottak_message_retries_total", dimensions: [("consumer_group", group)], factory: factory).increment()
    }

    /// `mottak_access_denied_total{consumer_group, dependency}`: an attempt failed because a NAV
    /// API (or Azure AD) refused our access. Alerted on: someone has to fix the access.
    func accessDenied(_ dependency: String) {
        Counter(label: "mottak_access_denied_total", dimensions: [("consumer_group", group), ("dependency", dependency)], factory: factory)
            .increment()
    }

    /// `mottak_consumer_infrastructure_waits_total{consumer_group}`: an attempt failed because
    /// our own PostgreSQL or Kafka was unavailable; waited out, not counted against the plan.
    func infrastructureWait() {
        Counter(label: "mottak_consumer_infrastructure_waits_total", dimensions: [("consumer_group", group)], factory: factory).increment()
    }

    /// `mottak_messages_parked_total{consumer_group, dependency}`: a message went into the
    /// durable wait; `mottak_messages_unparked_total{…}`: a parked one was handled at last.
    func parked(_ dependency: String?) {
        Counter(
            label: "mottak_messages_parked_total", dimensions: [("consumer_group", group), ("dependency", dependency ?? "unknown")], factory: factory
        )
        .increment()
    }

    func unparked(_ dependency: String?) {
        Counter(
            label: "mottak_messages_unparked_total", dimensions: [("consumer_group", group), ("dependency", dependency ?? "unknown")],
            factory: factory
        ).increment()
    }

    func deadLettered(_ reason: DeadLetterReason) {
        let kind =
            switch reason {
            case .poison: "poison"
            case .retriesExhausted: "retries_exhausted"
            }
        Counter(label: "mottak_messages_total", dimensions: [("consumer_group", group), ("result", "dead_lettered")], factory: factory).increment()
        Counter(label: "mottak_dead_letters_total", dimensions: [("consumer_group", group), ("reason", kind)], factory: factory).increment()
    }

    func record(_ lags: [PartitionLag]) {
        for lag in lags {
            Gauge(
                label: "mottak_consumer_lag_messages",
                dimensions: [("consumer_group", group), ("topic", lag.topicPartition.topic), ("partition", "\(lag.topicPartition.partition)")],
                factory: factory
            ).record(lag.lag)
        }
    }

    func record(_ snapshot: KeyOrderedProcessorSnapshot) {
        Gauge(label: "mottak_consumer_messages_in_flight", dimensions: [("consumer_group", group), ("state", "at_work")], factory: factory)
            .record(snapshot.atWork)
        Gauge(label: "mottak_consumer_messages_in_flight", dimensions: [("consumer_group", group), ("state", "waiting")], factory: factory)
            .record(snapshot.waiting)
        Gauge(label: "mottak_consumer_oldest_in_flight_seconds", dimensions: [("consumer_group", group)], factory: factory)
            .record(Double(snapshot.oldestAtWork.map { $0 / .seconds(1) } ?? 0))
        Gauge(label: "mottak_consumer_paused_partitions", dimensions: [("consumer_group", group)], factory: factory)
            .record(snapshot.pausedPartitions)
    }
}
