import Domain
import Foundation
import Kafka

/// Tells the status updater that a plan's message was dead-lettered: the plan is FAILED, with
/// the reason, so that nobody waits for it in vain. The message key is the plan uuid.
public enum PlanFailureReport {
    public static func send(for message: KafkaMessage, reason: DeadLetterReason, producer: KafkaProducer) async throws {
        guard let key = message.key, let uuid = UUID(uuidString: String(decoding: key, as: UTF8.self)) else { return }
        let event = StatusEvent(
            uuid: uuid, kind: .failed,
            error: .init(type: .internalServerError, message: "The plan could not be processed (\(reason.headerValue)); NAV has been alerted"))
        _ = try await producer.send(
            topic: EventTopics.status, key: key, value: Array(try JSONEncoder().encode(event)),
            headers: [KafkaHeader(key: "event-type", value: "followupplan.status.v1")])
    }
}
