/// The `event-type` header of every message this service writes: one place for them all, so a
/// reader of any topic (ours, the data warehouse's, an operator's `kcat`) can tell the messages
/// apart without knowing the topic.
public enum EventType: String, Sendable, CaseIterable {
    /// `followupplan.received`: a stored plan, for the lookup (``PlanRoutingFacts``).
    case received = "followupplan.received.v1"
    /// `followupplan.verified`: a plan the lookup let through, for the router.
    case verified = "followupplan.verified.v1"
    /// `followupplan.channel.nav` and `.gp`: a plan for one delivery channel.
    case channelNav = "followupplan.channel.nav.v1"
    case channelGeneralPractitioner = "followupplan.channel.gp.v1"
    /// `followupplan.status`: one step's outcome, for the status updater (``StatusStepEvent``). Not
    /// the public status event's type: the two are different messages.
    case statusStep = "followupplan.status-step.v1"
    /// `followupplan.submitted.v1`: a plan an upstream system publishes (``PlanSubmittedEvent``).
    case submitted = "followupplan.submitted.v1"
    /// `followupplan.status.v1`: where an event plan stands, for its publisher (``PublicStatusEvent``).
    case publicStatus = "followupplan.status.v1"

    /// The type of the message for `channel`'s topic.
    public static func channel(_ channel: DeliveryChannel) -> EventType {
        channel == .nav ? .channelNav : .channelGeneralPractitioner
    }
}
