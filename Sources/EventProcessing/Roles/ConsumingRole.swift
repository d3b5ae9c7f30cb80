import Domain
import ServiceLifecycle

/// A consuming role as its feature module declares it (`Lookup.role(…)`, `NavChannel.role(…)`,
/// …): the topic it reads, as which consumer group, what it does with one message, and what a
/// dead letter means for the plan. The application turns each into a group member and the one
/// consume-retry-dead-letter loop (``ConsumerRoleService``), the same for every role.
public struct ConsumingRole: Sendable {
    /// What the plan's status says when one of this role's messages is dead-lettered.
    public enum DeadLettering: Sendable, Equatable {
        /// Nothing: the message is not a step of a plan's delivery (a status event, a sykmelding,
        /// a submission that the front door answers itself).
        case nothing
        /// The plan is FAILED: no channel can be chosen without this step (lookup, router).
        case planFailed
        /// This channel is FAILED; the plan's other channel goes on.
        case channelFailed(DeliveryChannel)
    }

    /// The role's name (`lookup`, `nav-channel`, …): log label and metrics dimension.
    public var name: String
    public var consumerGroup: String
    public var topic: String
    public var deadLettering: DeadLettering
    /// Whether the role calls NAV's APIs: a message waiting for one that is down is parked (the
    /// durable wait) and its plan's status says it waits. The other roles fail only for poison
    /// or for our own PostgreSQL or Kafka (waited out), and skip the wait's "has this plan a
    /// parked message" query on every message.
    public var callsNavApis: Bool
    public var handler: ConsumerRoleService.Handler
    /// What the role runs beside its loop (the sykmelding ingest's purge of old periods).
    public var companions: [any Service]

    public init(
        _ context: RoleContext, consumerGroup: String, topic: String, deadLettering: DeadLettering = .nothing, callsNavApis: Bool = false,
        companions: [any Service] = [], handler: @escaping ConsumerRoleService.Handler
    ) {
        self.name = context.name
        self.consumerGroup = consumerGroup
        self.topic = topic
        self.deadLettering = deadLettering
        self.callsNavApis = callsNavApis
        self.companions = companions
        self.handler = handler
    }

    /// The channel whose step this role is, if it is one (its waiting notice and its FAILED name it).
    public var channel: DeliveryChannel? {
        if case .channelFailed(let channel) = deadLettering { return channel }
        return nil
    }

    /// What to do after a message went to the dead-letter topic: write the plan's (or its
    /// channel's) FAILED.
    public func deadLetterHook(status: @escaping StatusSink) -> ConsumerRoleService.DeadLetterHook? {
        switch deadLettering {
        case .nothing:
            return nil
        case .planFailed:
            return { message, reason in try await StatusStepReports.send(for: message, reason: reason, to: status) }
        case .channelFailed(let channel):
            return { message, reason in try await StatusStepReports.sendChannelFailed(channel, for: message, reason: reason, to: status) }
        }
    }

    /// The handler the loop runs: a role whose dead letters record FAILED first reopens the plan
    /// for a re-driven message (``Redriven``).
    public func loopHandler(status: @escaping StatusSink) -> ConsumerRoleService.Handler {
        deadLettering == .nothing ? handler : Redriven.reopening(channel, status: status, handler)
    }
}
