import Domain
import EventProcessing
import Foundation
import Kafka
import Logging

/// Routes one verified plan: its event goes, unchanged, to each requested channel's topic.
/// Redelivery routes again; the channel workers are idempotent per plan.
public struct RouterHandler: Sendable {
    let producer: KafkaProducer
    let logger: Logger

    public init(producer: KafkaProducer, logger: Logger) {
        self.producer = producer
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        let event = try PlanReceivedEvent.decode(message)
        let topics = Self.topics(for: event)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for topic in topics {
                group.addTask {
                    _ = try await producer.send(
                        topic: topic, key: message.key, value: message.value, headers: message.carriedHeaders(eventType: "\(topic).v1"))
                }
            }
            try await group.waitForAll()
        }
        logger.info("plan routed", metadata: ["plan_uuid": "\(event.uuid.uuidString.lowercased())", "channels": "\(topics)"])
    }

    static func topics(for event: PlanReceivedEvent) -> [String] {
        (event.sendPlanToNav ? [EventTopics.navChannel] : []) + (event.sendPlanToGeneralPractitioner ? [EventTopics.gpChannel] : [])
    }
}
