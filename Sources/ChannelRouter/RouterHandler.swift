import Domain
import EventProcessing
import Foundation
import Kafka
import Logging

/// Routes one verified plan (``EventProcessing/ChannelRouting``): its event goes, unchanged, to
/// each requested channel's topic. Redelivery routes again; the channel workers are idempotent
/// per plan. Since #28 only for what versions before it left on `followupplan.verified`.
public struct RouterHandler: Sendable {
    let producer: KafkaProducer
    let topics: EventTopics
    let logger: Logger

    public init(producer: KafkaProducer, topics: EventTopics, logger: Logger) {
        self.producer = producer
        self.topics = topics
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        let event = try PlanRoutingFacts.decode(message)
        let channels = try await ChannelRouting.send(message, event, producer: producer, topics: topics)
        logger.info("plan routed", metadata: ["plan_uuid": "\(event.uuid.lowercasedString)", "channels": "\(channels.map(\.rawValue))"])
    }
}
