import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import Storage

/// Applies one `followupplan.status` message. A replay, or an event its plan has already moved
/// past, changes nothing; a message that is not a whole status event is poison.
public struct StatusUpdateHandler: Sendable {
    let store: PlanStatusStore
    let logger: Logger

    public init(store: PlanStatusStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        let event = try Self.decode(message.value)
        let changed = try await store.apply(event)
        logger.info(
            changed ? "status changed" : "status event changed nothing (a replay, or the plan moved on)",
            metadata: [
                "plan_uuid": "\(event.uuid.uuidString.lowercased())", "event": "\(event.kind.rawValue)",
                "channel": "\(event.channel?.rawValue ?? "-")",
            ])
    }

    static func decode(_ value: [UInt8]?) throws(PoisonMessage) -> StatusEvent {
        guard let value else { throw PoisonMessage("no value") }
        let event: StatusEvent
        do {
            event = try JSONDecoder().decode(StatusEvent.self, from: Data(value))
        } catch {
            throw PoisonMessage("not a status event")
        }
        if let malformation = event.malformation { throw PoisonMessage(malformation) }
        return event
    }
}
