import Domain
import Foundation
import Kafka

extension PlanRoutingFacts {
    /// The plan event a pipeline message carries (`followupplan.received`, `.verified`,
    /// `.channel.*` all carry it unchanged), or why it cannot be read.
    public static func decode(_ message: KafkaMessage) throws(PoisonMessage) -> PlanRoutingFacts {
        guard let value = message.value, let event = try? JSONDecoder().decode(PlanRoutingFacts.self, from: Data(value)) else {
            throw PoisonMessage("not a plan event on \(message.topic)")
        }
        guard event.version == 1 else { throw PoisonMessage("plan event version \(event.version) is not known") }
        return event
    }
}
