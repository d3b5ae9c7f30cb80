import Domain
import EventProcessing
import Foundation
import Kafka
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(5))) struct DeadLetterToolTests {
    @Test func listsEveryDeadLetterAndRedrivesEachOnceToItsSource() async throws {
        let bed = try PipelineKafka(topics: ["work"], deadLetterPartitions: 3)
        let deadLetters = DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter)
        for index in 0..<3 {
            let message = KafkaMessage(
                topic: "work", partition: 0, offset: Int64(index), key: Array("key-\(index)".utf8), value: Array("value-\(index)".utf8),
                headers: [KafkaHeader(key: "nav-call-id", value: "call-\(index)")])
            try await deadLetters.send(message, reason: .poison("broken \(index)"), attempts: 1, consumerGroup: "g")
        }
        // Short sessions: the mock broker makes a rejoining group wait out the last member's session.
        let tool = DeadLetterTool(
            kafka: KafkaConfiguration(bootstrapServers: bed.cluster.bootstrapServers, properties: ["session.timeout.ms": "6000"]),
            topics: .local, logger: TestServices.logger)
        let listed = try await tool.list()
        #expect(listed.map(\.key).sorted() == ["key-0", "key-1", "key-2"])
        #expect(listed.first { $0.key == "key-0" }?.reason == "poison: broken 0")
        #expect(listed.allSatisfy { $0.sourceTopic == "work" })

        #expect(try await tool.redrive(producer: bed.producer).count == 3)
        let back = try await bed.take(3, from: "work")
        #expect(back.map(\.text).sorted() == ["value-0", "value-1", "value-2"])
        #expect(back.allSatisfy { message in !message.headers.contains { $0.key.hasPrefix("dlq-") } })
        #expect(back.first { $0.text == "value-0" }?.header("nav-call-id") == "call-0")
        #expect(try await tool.redrive(producer: bed.producer).isEmpty)
    }
}
