import Domain
import Foundation
import Kafka

/// Tells the status updater that a plan's message was dead-lettered: the plan is FAILED, with
/// the reason, so that nobody waits for it in vain. The message key is the plan uuid.
public enum PlanFailureReport {
    public static func send(for message: KafkaMessage, reason: DeadLetterReason, producer: KafkaProducer) async throws {
        guard let uuid = planUUID(message) else { return }
        try await producer.publish(StatusEvent(uuid: uuid, kind: .failed, error: problem(reason)), causedBy: message)
    }

    /// A channel worker gave up: that channel FAILED (the plan settles when no channel is pending).
    public static func sendChannelFailed(
        _ channel: DeliveryChannel, for message: KafkaMessage, reason: DeadLetterReason, producer: KafkaProducer
    ) async throws {
        guard let uuid = planUUID(message) else { return }
        try await producer.publish(StatusEvent(uuid: uuid, kind: .channelFailed, channel: channel, error: problem(reason)), causedBy: message)
    }

    private static func planUUID(_ message: KafkaMessage) -> UUID? {
        message.key.flatMap { UUID(uuidString: String(decoding: $0, as: UTF8.self)) }
    }

    private static func problem(_ reason: DeadLetterReason) -> StatusEvent.Problem {
        .init(type: .internalServerError, message: "The plan could not be processed (\(reason.headerValue)); NAV has been alerted")
    }
}
