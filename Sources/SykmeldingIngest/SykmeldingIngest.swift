/// The sykmelding ingest: keeps the sick-leave periods of sykmeldinger sent to employers
/// (`teamsykmelding.syfo-sendt-sykmelding`) in `sykmelding_period`, which the lookup reads.
///
/// Not built yet: issue #5 fills this module.
public enum SykmeldingIngest {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-sykmelding-ingest"
}
