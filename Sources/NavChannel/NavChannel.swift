/// The NAV channel worker: PDF, journal post in dokarkiv (idempotent on the plan uuid), and the
/// Modia task when the employer asked for help. NAV is SENT only when all of that succeeded.
///
/// Not built yet: issue #5 fills this module.
public enum NavChannel {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-nav-channel"
}
