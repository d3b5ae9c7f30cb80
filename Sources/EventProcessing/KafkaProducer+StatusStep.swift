import Domain
import Foundation
import Kafka

extension KafkaProducer {
    /// Sends `event` to the status topic (``Domain/EventTopics/status``), keyed by its plan uuid
    /// (so a plan's events stay in order), and waits for the acknowledgement. `cause` is the
    /// message it answers, whose call id and trace context travel on.
    public func publish(_ event: StatusStepEvent, to topics: EventTopics, causedBy cause: KafkaMessage? = nil) async throws {
        let envelope = cause?.envelope(of: .statusStep) ?? MessageEnvelope(eventType: .statusStep)
        _ = try await send(
            topic: topics.status, key: Array(event.uuid.lowercasedString.utf8), value: Array(try JSONEncoder().encode(event)),
            headers: envelope.kafkaHeaders)
    }
}
