import Domain
import EventProcessing
import Storage

/// The sykmelding ingest: keeps the sick-leave periods of sykmeldinger sent to employers
/// (`teamsykmelding.syfo-sendt-sykmelding`, owned by team sykmelding) in `sykmelding_period`,
/// which the lookup reads to decide whether an employee has an active sykmelding.
///
/// Unlike the Kotlin service it replaces a sykmelding's periods on every (re-)delivery, so a
/// correction or a redelivered message never leaves duplicates; it keeps periods that ended
/// but can still count as active (15 days); and a message it cannot read goes to the
/// dead-letter topic instead of being skipped silently.
public enum SykmeldingIngest {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-sykmelding-ingest"
}

extension SykmeldingIngest {
    /// The role: team sykmelding's topic in, `sykmelding_period` kept, with the purge of
    /// periods too old to count beside it.
    public static func role(_ context: RoleContext) -> ConsumingRole {
        let store = SykmeldingPeriods(postgres: context.postgres, logger: context.logger)
        return ConsumingRole(
            context, consumerGroup: consumerGroup, topic: context.topics.sendtSykmelding,
            companions: [PeriodPurgeService(store: store, logger: context.logger)],
            handler: SykmeldingIngestHandler(store: store, metricsFactory: context.metricsFactory, logger: context.logger).handle)
    }
}
