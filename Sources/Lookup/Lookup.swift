/// The lookup role: for each `followupplan.received` event, checks the employment (Aareg), an
/// active sykmelding sent to the employer, and that the person exists (PDL), and publishes the
/// verdict (`followupplan.verified` or `.rejected`).
///
/// Not built yet: issue #5 fills this module.
public enum Lookup {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-lookup"
}
