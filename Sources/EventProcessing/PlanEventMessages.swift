import Domain
import Foundation
import Kafka

extension PlanReceivedEvent {
    /// The plan event a pipeline message carries (`followupplan.received`, `.verified`,
    /// `.channel.*` all carry it unchanged), or why it cannot be read.
    public static func decode(_ message: KafkaMessage) throws(PoisonMessage) -> PlanReceivedEvent {
        guard let value = message.value, let event = try? JSONDecoder().decode(PlanReceivedEvent.self, from: Data(value)) else {
            throw PoisonMessage("not a plan event on \(message.topic)")
        }
        guard event.version == 1 else { throw PoisonMessage("plan event version \(event.version) is not known") }
        return event
    }
}

extension KafkaMessage {
    /// The headers a message passes on to the messages it causes: the call id (and, with issue
    /// #7, the trace context), plus the new message's own event type.
    public func carriedHeaders(eventType: String) -> [KafkaHeader] {
        headers.filter { $0.key == "nav-call-id" || $0.key == "traceparent" } + [KafkaHeader(key: "event-type", value: eventType)]
    }
}
