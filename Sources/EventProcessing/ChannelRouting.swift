import Domain
import Kafka

/// Sends a verified plan's event, unchanged, to the topic of each channel it asked for (NAV
/// first), keyed by its plan uuid, and waits for every acknowledgement. Since #28 the lookup
/// does this as soon as it has verified a plan; the router role does the same for what versions
/// before that left on `followupplan.verified`.
public enum ChannelRouting {
    /// The channels a plan asked for, NAV first.
    public static func channels(for event: PlanRoutingFacts) -> [DeliveryChannel] {
        (event.sendPlanToNav ? [.nav] : []) + (event.sendPlanToGeneralPractitioner ? [.generalPractitioner] : [])
    }

    /// Sends `message` (a plan event whose facts are `event`) to its channels' topics, each with
    /// that channel's `event-type`; returns the channels.
    @discardableResult
    public static func send(_ message: KafkaMessage, _ event: PlanRoutingFacts, producer: KafkaProducer, topics: EventTopics) async throws
        -> [DeliveryChannel]
    {
        let channels = channels(for: event)
        let key = Array(event.uuid.lowercasedString.utf8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for channel in channels {
                group.addTask {
                    _ = try await producer.send(
                        topic: channel == .nav ? topics.navChannel : topics.gpChannel, key: key, value: message.value,
                        headers: message.carriedHeaders(eventType: .channel(channel)))
                }
            }
            try await group.waitForAll()
        }
        return channels
    }
}
