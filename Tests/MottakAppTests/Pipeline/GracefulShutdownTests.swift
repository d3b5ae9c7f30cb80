import Domain
import EventProcessing
import Foundation
import Kafka
import KafkaMock
import LocalStandIns
import PostgresNIO
import ServiceLifecycle
import Storage
import Submissions
import TestSupport
import Testing

@testable import MottakApp
@testable import MottakDev

/// The whole pipeline stopped gracefully (as on SIGTERM) while plans are in flight, then started
/// again: every plan reaches COMPLETED, and NAV's APIs saw each side effect exactly once.
@Suite(.timeLimit(.minutes(5))) struct GracefulShutdownTests {
    static let plans = 60

    @Test func aGracefulShutdownUnderLoadLosesNothingAndDuplicatesNothing() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestServices.logger)
        try cluster.createTopics(TopicPartitions.all.map { TopicSpec(name: $0.name, partitions: $0.partitions, replicationFactor: 1) })
        try await DevStack.seedSykmeldinger(
            KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), topic: EventTopics.local.sendtSykmelding, logger: TestServices.logger)
        let nav = try LocalNavServer(logger: TestServices.logger)
        // Slow enough that work is in every role when the shutdown comes.
        for api in LocalNavServer.API.allCases where api != .azureAD { nav.inject(.delay(.milliseconds(20)), into: api) }
        let standIns = ServiceGroup(services: [nav], logger: TestServices.logger)
        let standInsRunning = Task { try await standIns.run() }
        defer { Task { await standIns.triggerGracefulShutdown() } }

        try await TestServices.withFreshDatabase { database, postgres in
            var configuration = HealthEndpointTests.configuration(database: database, kafka: cluster.bootstrapServers)
            configuration.navApis = DevStack.standIns(nav, filling: try AppConfiguration(environment: [:], mode: .dev).navApis)
            // The mock broker lets the restarted members in only once the old ones' sessions
            // would have expired (librdkafka's default is 45 s).
            configuration.kafka?.properties["session.timeout.ms"] = "6000"
            // Every role but the HTTP ones: the plans go straight into the intake's store.
            let roles = Set(Role.allCases).subtracting([.intake, .statusQuery])

            let first = ServiceGroup(
                services: [try MottakApplication.build(configuration: configuration, roles: roles, logger: TestServices.logger)],
                logger: TestServices.logger)
            let firstRunning = Task { try await first.run() }
            // (The table appears once the first process has migrated the new database.)
            try await eventually("the seeded sykmeldinger") {
                (try? await Self.count("SELECT count(*)::int8 FROM sykmelding_period", postgres)) == DevStack.seededPeriodsKept
            }
            var uuids: [UUID] = []
            let store = SubmissionStore(postgres: postgres, topics: .local, logger: TestServices.logger)
            for _ in 0..<Self.plans {
                let submission = PlanSubmission(
                    plan: Self.plan(), employerOrgNumber: LocalNavFixtures.workplace, lpsOrgNumber: LocalNavFixtures.workplace, frontDoor: .http)
                _ = try await store.store(submission, idempotency: nil, callID: nil)
                uuids.append(submission.uuid)
            }

            // SIGTERM once some plans are through and the rest are in flight.
            try await eventually("the first plans to complete") { try await Self.completed(postgres) >= 5 }
            let shutdownStarted = ContinuousClock.now
            await first.triggerGracefulShutdown()
            try await firstRunning.value
            let shutdownTook = ContinuousClock.now - shutdownStarted
            let completedBeforeRestart = try await Self.completed(postgres)
            #expect(completedBeforeRestart < Self.plans, "the shutdown came with plans in flight")
            #expect(shutdownTook < .seconds(30), "within the pods' grace period (took \(shutdownTook))")

            let second = ServiceGroup(
                services: [try MottakApplication.build(configuration: configuration, roles: roles, logger: TestServices.logger)],
                logger: TestServices.logger)
            let secondRunning = Task { try await second.run() }
            try await eventually("every plan to complete", timeout: .seconds(120)) { try await Self.completed(postgres) == Self.plans }
            await second.triggerGracefulShutdown()
            try await secondRunning.value

            // Exactly once each: a journal post per plan, a GP message per plan, a Modia task per plan.
            let journalled = nav.requests(to: .dokarkiv).compactMap { request in
                (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any])?["eksternReferanseId"] as? String
            }
            #expect(journalled.count == Self.plans && Set(journalled) == Set(uuids.map { $0.lowercasedString }))
            #expect(nav.requests(to: .isdialogmelding).count == Self.plans)
            #expect(nav.requests(to: .pdfgen).count == Self.plans, "one PDF per plan, across the restart")
            let tasks = try await Self.keys(of: EventTopics.local.modiaTask, cluster, atLeast: Self.plans)
            #expect(tasks.count == Self.plans && Set(tasks).count == Self.plans, "one Modia task per plan")
        }
        await standIns.triggerGracefulShutdown()
        try await standInsRunning.value
        withExtendedLifetime(cluster) {}
    }

    static func plan() -> FollowUpPlanDTO {
        var plan = FollowUpPlanDTO(
            employeeIdentificationNumber: LocalNavFixtures.ready.identificationNumber, typicalWorkday: "a", tasksThatCanStillBeDone: "b",
            tasksThatCanNotBeDone: "c", previousFacilitation: "d", plannedFacilitation: "e", followUp: "f",
            evaluationDate: CalendarDate(iso: "2027-01-15")!, sendPlanToNav: true, sendPlanToGeneralPractitioner: true,
            contactPersonFullName: "g", contactPersonPhoneNumber: "h", contactPersonEmail: "i", employeeHasContributedToPlan: true, lpsName: "j")
        plan.needsHelpFromNav = true
        plan.needsHelpFromNavDescription = "Advice on a lifting aid"
        return plan
    }

    static func completed(_ postgres: PostgresClient) async throws -> Int {
        try await count("SELECT count(*)::int8 FROM plan_status WHERE state = 'COMPLETED'", postgres)
    }

    static func count(_ sql: PostgresQuery, _ postgres: PostgresClient) async throws -> Int {
        for try await count in try await postgres.query(sql).decode(Int.self) { return count }
        return -1
    }

    /// The keys of every message on `topic`: at least `atLeast`, read to the topic's end.
    static func keys(of topic: String, _ cluster: EmbeddedKafkaCluster, atLeast minimum: Int) async throws -> [String] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, properties: ["session.timeout.ms": "6000"]),
            consumer: .init(groupID: "check-\(UUID())", topics: [topic]), logger: TestServices.logger)
        let reader = Task {
            var keys: [String] = []
            for try await message in consumer.messages {
                keys.append(message.key.map { String(decoding: $0, as: UTF8.self) } ?? "")
                // Read to the end of the topic, so that a duplicate behind the last plan counts too.
                if keys.count >= minimum, try await consumer.isCaughtUp() { break }
            }
            return keys
        }
        let deadline = Task {
            try await Task.sleep(for: .seconds(60))
            reader.cancel()
        }
        defer { deadline.cancel() }
        let keys = try await reader.value
        await consumer.close()
        return keys
    }
}
