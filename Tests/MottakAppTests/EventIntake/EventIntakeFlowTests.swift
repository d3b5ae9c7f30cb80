import Domain
import EventProcessing
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kafka
import KafkaMock
import LocalStandIns
import NIOCore
import PostgresNIO
import TestSupport
import Testing

@testable import MottakApp

/// The event front door over the whole process: submissions published on
/// `followupplan.submitted.v1` go through the HTTP intake's rules, storage, pipeline and status
/// path, and their publisher follows them on `followupplan.status.v1`.
@Suite(.timeLimit(.minutes(5))) struct EventIntakeFlowTests {
    @Test func publishedPlansAreProcessedRefusedDeDuplicatedAndPoisonIsSetAside() async throws {
        try await PipelineFlowTests.withPipeline { pipeline in
            let producer = try KafkaProducer(
                configuration: KafkaConfiguration(bootstrapServers: pipeline.cluster.bootstrapServers), logger: TestServices.logger)
            let valid = UUID()
            let invalid = UUID()
            let validPlan = PlanJSON.valid.merging(["needsHelpFromNav": false, "sendPlanToGeneralPractitioner": true]) { $1 }
            // Contributed, yet a description of why not: the HTTP intake refuses this plan.
            let invalidPlan = PlanJSON.valid.merging(["employeeHasNotContributedToPlanDescription": "Was away"]) { $1 }

            // A poison message first: it is set aside and the valid plan behind it still goes through.
            for (key, value) in [
                ("garbage", Array("not a submission".utf8)), (valid.lowercasedString, Self.event(valid, plan: validPlan)),
                (valid.lowercasedString, Self.event(valid, plan: validPlan)),
                (invalid.lowercasedString, Self.event(invalid, plan: invalidPlan)),
            ] {
                _ = try await producer.send(
                    topic: EventTopics.local.submitted, key: Array(key.utf8), value: value,
                    headers: [KafkaHeader(key: "nav-call-id", value: "altinn-1")])
            }

            let events = try await Self.statusEvents(pipeline.cluster) { events in
                events.contains { $0["uuid"] as? String == valid.lowercasedString && $0["state"] as? String == "COMPLETED" }
                    && events.contains { $0["uuid"] as? String == invalid.lowercasedString }
            }
            // The valid plan's publisher sees it move forward to COMPLETED, revision by revision.
            let mine = events.filter { $0["uuid"] as? String == valid.lowercasedString }
            let revisions = mine.compactMap { $0["revision"] as? Int }
            #expect(revisions == revisions.sorted() && Set(revisions).count == revisions.count, "\(revisions)")
            let completed = try #require(mine.last)
            #expect(completed["state"] as? String == "COMPLETED")
            let channels = completed["channels"] as? [String: [String: Any]]
            #expect(channels?["nav"]?["state"] as? String == "SENT" && channels?["generalPractitioner"]?["state"] as? String == "SENT")
            #expect(channels?["nav"]?["journalpostId"] as? String != nil)

            // The refused plan gets the very ApiError the HTTP intake gives for it; nothing is stored.
            let refusal = try #require(events.first { $0["uuid"] as? String == invalid.lowercasedString })
            #expect(refusal["state"] as? String == "REJECTED" && refusal["revision"] as? Int == 0 && refusal["channels"] is NSNull)
            let http = try await pipeline.client.execute(
                uri: "/api/v1/followupplan", method: .post,
                headers: [.contentType: "application/json", .authorization: "Bearer \(pipeline.token)", HTTPField.Name("Prefer")!: "respond-async"],
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: invalidPlan)))
            let httpError = try JSONSerialization.jsonObject(with: Data(http.body.readableBytesView)) as? [String: Any]
            let eventError = refusal["error"] as? [String: Any]
            #expect(http.status == .badRequest && eventError?["type"] as? String == "VALIDATION_ERROR")
            #expect(eventError?["message"] as? String == httpError?["message"] as? String)

            // Published twice, stored once; through the same door as HTTP plans, readable by the employer.
            #expect(
                try await Self.count("SELECT count(*)::int8 FROM followup_plan WHERE uuid = \(valid) AND submitted_via = 'EVENT'", pipeline.postgres)
                    == 1)
            #expect(try await Self.count("SELECT count(*)::int8 FROM followup_plan WHERE uuid = \(invalid)", pipeline.postgres) == 0)
            #expect(pipeline.nav.requests(to: .dokarkiv).count == 1)
            let status = try await pipeline.client.execute(
                uri: PlanStatusRecord.resourcePath(of: valid), method: .get, headers: [.authorization: "Bearer \(pipeline.token)"], body: nil)
            #expect(status.status == .ok)

            // The poison message is in the dead-letter topic with its reason.
            let tool = DeadLetterTool(
                kafka: KafkaConfiguration(bootstrapServers: pipeline.cluster.bootstrapServers, properties: ["session.timeout.ms": "6000"]),
                topics: .local, logger: TestServices.logger)
            let letters = try await tool.list()
            #expect(letters.count == 1)
            #expect(letters.first?.sourceTopic == EventTopics.local.submitted && letters.first?.reason.contains("not a JSON object") == true)
            await producer.close(flushTimeout: .seconds(5))
        }
    }

    static func event(_ uuid: UUID, plan: [String: Any], employer: String = LocalNavFixtures.workplace) -> [UInt8] {
        let envelope: [String: Any] = [
            "version": 1, "uuid": uuid.lowercasedString, "employerOrgNumber": employer, "lpsOrgNumber": "987654321",
            "sourceSystem": "altinn-kanal", "plan": plan,
        ]
        return Array(try! JSONSerialization.data(withJSONObject: envelope))
    }

    /// The public status events, read from the start until `enough` says so (60 s at most).
    static func statusEvents(
        _ cluster: EmbeddedKafkaCluster, until enough: @escaping @Sendable ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, properties: ["session.timeout.ms": "6000"]),
            consumer: .init(groupID: "publisher-\(UUID())", topics: [EventTopics.local.publicStatus]), logger: TestServices.logger)
        defer { Task { await consumer.close() } }
        let values = try await withThrowingTaskGroup(of: [[UInt8]].self) { group in
            group.addTask {
                var values: [[UInt8]] = []
                for try await message in consumer.messages {
                    #expect(message.header("event-type") == PublicStatusEvent.eventType)
                    values.append(message.value ?? [])
                    if enough(decode(values)) { return values }
                }
                return values
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw MissingTestService(description: "the status events did not arrive within 60 s")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        return decode(values)
    }

    static func decode(_ values: [[UInt8]]) -> [[String: Any]] {
        values.compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    static func count(_ sql: PostgresQuery, _ postgres: PostgresClient) async throws -> Int {
        for try await count in try await postgres.query(sql).decode(Int.self) { return count }
        return -1
    }
}
