import ChannelRouter
import Domain
import EventProcessing
import Foundation
import Kafka
import KafkaMock
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(5))) struct RouterTests {
    @Test func aVerifiedPlanGoesToEachRequestedChannelAndNowhereElse() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.verified, EventTopics.local.navChannel, EventTopics.local.gpChannel])
        let plans = [(true, false), (false, true), (true, true), (false, false)].map { nav, gp in
            PlanRoutingFacts(
                uuid: UUID(), employerOrgNumber: "123456789", lpsOrgNumber: "123456789", sendPlanToNav: nav, needsHelpFromNav: false,
                sendPlanToGeneralPractitioner: gp, submittedVia: .http)
        }
        for plan in plans {
            _ = try await bed.producer.send(
                topic: EventTopics.local.verified, key: Array(plan.uuid.lowercasedString.utf8), value: Array(plan.jsonBody.utf8))
        }
        let service = ConsumerRoleService(
            name: "router", consumerGroup: "router-test", consumer: try bed.consumer(group: "router-test", topics: [EventTopics.local.verified]),
            deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter), logger: TestServices.logger,
            handler: RouterHandler(producer: bed.producer, topics: .local, logger: TestServices.logger).handle)
        try await bed.whileRunning(service) {
            let nav = try await bed.take(2, from: EventTopics.local.navChannel).map(\.keyText)
            let gp = try await bed.take(2, from: EventTopics.local.gpChannel).map(\.keyText)
            // Plans are routed concurrently: which plans, not in which order across plans.
            #expect(Set(nav) == Set([plans[0], plans[2]].map { $0.uuid.lowercasedString }) && nav.count == 2)
            #expect(Set(gp) == Set([plans[1], plans[2]].map { $0.uuid.lowercasedString }) && gp.count == 2)
        }
    }
}
