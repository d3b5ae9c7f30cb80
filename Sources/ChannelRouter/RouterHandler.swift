import Domain
import EventProcessing
import Foundation
import Kafka
import Logging

/// Routes one verified plan: its event goes, unchanged, to each requested channel's topic.
/// Redelivery routes again; the channel workers are idempotent per plan.
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
        let channels = Self.channels(for: event)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for channel in channels {
                group.addTask {
                    _ = try await producer.send(
                        topic: channel == .nav ? topics.navChannel : topics.gpChannel, key: message.key, value: message.value,
                        headers: message.carriedHeaders(eventType: .channel(channel)))
                }
            }
            try await group.waitForAll()
        }
        logger.info("plan routed", metadata: ["plan_uuid": "\(event.uuid.lowercasedString)", "channels": "\(channels.map(\.rawValue))"])
    }

    /// The channels a plan asked for, NAV first.
    static func channels(for event: PlanRoutingFacts) -> [DeliveryChannel] {
        (event.sendPlanToNav ? [.nav] : []) + (event.sendPlanToGeneralPractitioner ? [.generalPractitioner] : [])
    }
}
