import Domain
import EventProcessing

/// The router: sends a verified plan to the NAV channel and/or the GP channel, as the employer
/// asked (`followupplan.channel.nav`, `followupplan.channel.gp`). ``RouterHandler`` handles one
/// `followupplan.verified` event; it needs no database (the event carries the routing facts).
///
/// Since #28 the lookup routes a plan itself (the verified event carried nothing the received
/// one had not, and cost a message per plan); the router drains what versions before that left
/// on `followupplan.verified`, and can be removed once that topic's lag is zero everywhere.
public enum ChannelRouter {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-router"
}

extension ChannelRouter {
    /// The role: `followupplan.verified` in, the channels' topics out; a dead letter FAILs the plan.
    public static func role(_ context: RoleContext) -> ConsumingRole {
        ConsumingRole(
            context, consumerGroup: consumerGroup, topic: context.topics.verified, deadLettering: .planFailed,
            handler: RouterHandler(producer: context.producer, topics: context.topics, logger: context.logger).handle)
    }
}
