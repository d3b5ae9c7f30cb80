import Domain
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Storage

/// The relay's metrics (Prometheus names; issue #7 puts all of them under one scheme).
struct OutboxRelayMetrics: Sendable {
    let backlog: Gauge
    let oldestAge: Gauge
    let published: Counter
    let failed: Counter
    let held: Gauge

    init(factory: any MetricsFactory) {
        backlog = Gauge(label: "mottak_outbox_backlog_rows", factory: factory)
        oldestAge = Gauge(label: "mottak_outbox_oldest_age_seconds", factory: factory)
        published = Counter(label: "mottak_outbox_published_total", factory: factory)
        failed = Counter(label: "mottak_outbox_publish_failures_total", factory: factory)
        held = Gauge(label: "mottak_outbox_held_rows", factory: factory)
    }
}
