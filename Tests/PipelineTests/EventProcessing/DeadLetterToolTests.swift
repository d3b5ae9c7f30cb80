import Domain
import EventProcessing
import Foundation
import Kafka
import KafkaMock
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(5))) struct DeadLetterToolTests {
    /// Every letter from a topic of ours goes back once, marked as re-driven; a letter from a
    /// topic another team owns is reported and never written there; a second run does nothing.
    @Test func listsEveryDeadLetterAndRedrivesEachOnceToItsSource() async throws {
        let ours = EventTopics.local.received
        let foreign = EventTopics.local.sendtSykmelding
        let bed = try PipelineKafka(topics: [ours, foreign], deadLetterPartitions: 3)
        let deadLetters = DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter)
        for index in 0..<3 {
            let message = KafkaMessage(
                topic: ours, partition: 0, offset: Int64(index), key: Array("key-\(index)".utf8), value: Array("value-\(index)".utf8),
                headers: [KafkaHeader(key: "nav-call-id", value: "call-\(index)")])
            try await deadLetters.send(message, reason: .poison("broken \(index)"), attempts: 1, consumerGroup: "g")
        }
        let sykmelding = KafkaMessage(topic: foreign, partition: 0, offset: 7, key: Array("sm".utf8), value: Array("{}".utf8), headers: [])
        try await deadLetters.send(sykmelding, reason: .poison("unreadable"), attempts: 1, consumerGroup: "ingest")
        // Short sessions: the mock broker makes a rejoining group wait out the last member's session.
        let tool = DeadLetterTool(
            kafka: KafkaConfiguration(bootstrapServers: bed.cluster.bootstrapServers, properties: ["session.timeout.ms": "6000"]),
            topics: .local, logger: TestServices.logger)
        let listed = try await tool.list()
        #expect(listed.map(\.key).sorted() == ["key-0", "key-1", "key-2", "sm"])
        #expect(listed.first { $0.key == "key-0" }?.reason == "poison: broken 0")

        let report = try await tool.redrive(producer: bed.producer)
        #expect(report.redriven.map(\.key).sorted() == ["key-0", "key-1", "key-2"])
        #expect(report.skipped.map(\.entry.key) == ["sm"])
        #expect(report.skipped.first?.why.contains("not ours") == true)
        let back = try await bed.take(3, from: ours)
        #expect(back.map(\.text).sorted() == ["value-0", "value-1", "value-2"])
        #expect(back.allSatisfy { message in !message.headers.contains { $0.key.hasPrefix("dlq-") } })
        #expect(back.allSatisfy { $0.header(Redriven.header)?.hasPrefix(EventTopics.local.deadLetter) == true })
        #expect(back.first { $0.text == "value-0" }?.header("nav-call-id") == "call-0")
        await #expect(throws: MissingTestService.self, "nothing is written to a topic of another team") {
            try await bed.take(1, from: foreign, within: .seconds(3))
        }

        let again = try await tool.redrive(producer: bed.producer)
        #expect(again.redriven.isEmpty && again.skipped.isEmpty, "each letter is handled once, the skipped one too")
    }
}
