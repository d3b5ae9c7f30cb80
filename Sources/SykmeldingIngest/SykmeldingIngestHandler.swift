import Domain
import EventProcessing
import Kafka
import Logging
import Metrics
import Storage

/// Handles one `syfo-sendt-sykmelding` message: replace the sykmelding's periods, or delete
/// them on a tombstone. Idempotent: the same message twice leaves the same rows.
public struct SykmeldingIngestHandler: Sendable {
    let store: SykmeldingPeriods
    /// `mottak_sykmelding_skipped_total{reason="no_arbeidsgiver"}`.
    let skippedWithoutEmployer: Counter
    let logger: Logger

    public init(store: SykmeldingPeriods, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger) {
        self.store = store
        self.skippedWithoutEmployer = Counter(
            label: "mottak_sykmelding_skipped_total", dimensions: [("reason", "no_arbeidsgiver")], factory: metricsFactory)
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        switch try SendtSykmeldingMessage.decode(key: message.key, value: message.value) {
        case .tombstone(let sykmeldingID):
            try await store.delete(sykmeldingID: sykmeldingID)
            logger.info("sykmelding withdrawn", metadata: ["sykmelding_id": "\(sykmeldingID)"])
        case .withoutEmployer(let sykmeldingID):
            skippedWithoutEmployer.increment()
            logger.info("sykmelding without arbeidsgiver skipped", metadata: ["sykmelding_id": "\(sykmeldingID)"])
        case .sykmelding(let sykmelding):
            let kept = try await store.replace(sykmelding)
            logger.info(
                "sykmelding stored",
                metadata: [
                    "sykmelding_id": "\(sykmelding.sykmeldingID)", "organization": "\(sykmelding.organizationNumber)",
                    "periods": "\(sykmelding.periods.count)", "periods.kept": "\(kept)",
                ])
        }
    }
}
