import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import Metrics
import PlanStatusRecords
import Storage

/// Applies one `followupplan.status` message (batched with the others in hand). A replay, or an event its plan has already moved
/// past, changes nothing; a message that is not a whole status event is poison. The roles write
/// their own outcomes since #28; what reaches this topic is what a version before that sent
/// (during a rolling deploy, or still waiting on the topic). Metrics: ``StatusStageMetrics``.
public struct StatusUpdateHandler: Sendable {
    let changes: StatusChangeBatcher
    let metrics: StatusStageMetrics
    let logger: Logger

    /// `batch`: at most this many status events in one transaction (``StatusChangeBatcher``;
    /// 1 applies each alone).
    public init(store: StatusTransitions, batch: Int = 100, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger) {
        self.changes = StatusChangeBatcher(store: store, maximumBatch: batch)
        self.metrics = StatusStageMetrics(factory: metricsFactory)
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        let event = try Self.decode(message.value)
        if let problem = event.error, PublicProblems.sanitized(problem, channel: event.channel) != problem {
            // A role sent a text outside the public catalogue: stored as the catalogue's text.
            logger.warning(
                "a status event's error text is not in the public catalogue; the catalogue's text is stored instead",
                metadata: ["plan_uuid": "\(event.uuid.lowercasedString)", "error_type": "\(problem.type.rawValue)"])
        }
        let change = try await changes.apply(event)
        if let change { metrics.record(event, change) }
        logger.info(
            change != nil ? "status changed" : "status event changed nothing (a replay, or the plan moved on)",
            metadata: [
                "plan_uuid": "\(event.uuid.lowercasedString)", "event": "\(event.kind.rawValue)",
                "channel": "\(event.channel?.rawValue ?? "-")",
            ])
    }

    static func decode(_ value: [UInt8]?) throws(PoisonMessage) -> StatusStepEvent {
        guard let value else { throw PoisonMessage("no value") }
        let event: StatusStepEvent
        do {
            event = try JSONDecoder().decode(StatusStepEvent.self, from: Data(value))
        } catch {
            throw PoisonMessage("not a status event")
        }
        if let malformation = event.malformation { throw PoisonMessage(malformation) }
        return event
    }
}
