/// The router: sends a verified plan to the NAV channel and/or the GP channel, as the employer
/// asked (`followupplan.channel.nav`, `followupplan.channel.gp`).
///
/// Not built yet: issue #5 fills this module.
public enum ChannelRouter {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-router"
}
