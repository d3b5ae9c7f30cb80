import Domain
import Foundation
import Kafka

/// Tells the status updater that a plan's message was dead-lettered: the plan (or the channel)
/// is FAILED, so that nobody waits for it in vain. The message key is the plan uuid. What the
/// status says is a catalogue text (``Domain/PublicProblems``); the reason, which names hosts,
/// URLs and error descriptions, stays in the dead letter's `dlq-reason` header and the log.
public enum StatusStepReports {
    public static func send(for message: KafkaMessage, reason: DeadLetterReason, producer: KafkaProducer, topics: EventTopics) async throws {
        guard let uuid = planUUID(message) else { return }
        try await producer.publish(statusEvent(uuid, channel: nil, reason: reason), to: topics, causedBy: message)
    }

    /// A channel worker gave up: that channel FAILED (the plan settles when no channel is pending).
    public static func sendChannelFailed(
        _ channel: DeliveryChannel, for message: KafkaMessage, reason: DeadLetterReason, producer: KafkaProducer, topics: EventTopics
    ) async throws {
        guard let uuid = planUUID(message) else { return }
        try await producer.publish(statusEvent(uuid, channel: channel, reason: reason), to: topics, causedBy: message)
    }

    /// A step of the plan (`channel`'s, or the lookup's when nil) waits for a NAV API that is down.
    public static func sendWaiting(_ channel: DeliveryChannel?, for message: KafkaMessage, producer: KafkaProducer, topics: EventTopics) async throws
    {
        guard let uuid = planUUID(message) else { return }
        try await producer.publish(StatusStepEvent(uuid: uuid, kind: .waiting, channel: channel), to: topics, causedBy: message)
    }

    /// The status event for a dead letter: the same catalogue text whatever the `reason`.
    public static func statusEvent(_ uuid: UUID, channel: DeliveryChannel?, reason: DeadLetterReason) -> StatusStepEvent {
        switch channel {
        case nil: StatusStepEvent(uuid: uuid, kind: .failed, error: .init(PublicProblems.planFailed))
        case .nav: StatusStepEvent(uuid: uuid, kind: .channelFailed, channel: .nav, error: .init(PublicProblems.navDeliveryFailed))
        case .generalPractitioner:
            StatusStepEvent(
                uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(PublicProblems.generalPractitionerDeliveryFailed))
        }
    }

    private static func planUUID(_ message: KafkaMessage) -> UUID? {
        message.key.flatMap { UUID(uuidString: String(decoding: $0, as: UTF8.self)) }
    }
}
