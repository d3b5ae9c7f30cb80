import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kafka
import LocalStandIns
@testable import MottakApp
import NavClients
import NIOCore
import PostgresNIO
import Storage
import TestSupport
import Testing

/// The whole process as `mottak dev` runs it: POST → outbox → relay → Kafka → lookup (stand-ins
/// over HTTP, sykmeldinger from the seeded topic) → status updater → `plan_status`.
@Suite struct PipelineFlowTests {
    @Test func aPlanIsVerifiedOrRejectedThroughThePipeline() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestServices.logger)
        try cluster.createTopics(ProjectTopics.all.map { TopicSpec(name: $0.name, partitions: $0.partitions, replicationFactor: 1) })
        let kafka = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        try await DevStack.seedSykmeldinger(kafka, logger: TestServices.logger)
        let issuer = try LocalMaskinportenIssuer()
        let maskinporten = LocalMaskinportenServer(issuers: [issuer], logger: TestServices.logger)
        let nav = LocalNavServer(logger: TestServices.logger)

        try await TestServices.withFreshDatabase { database, postgres in
            var configuration = HealthEndpointTests.configuration(database: database, kafka: cluster.bootstrapServers)
            configuration.maskinporten = MaskinportenConfiguration(description: "test issuer") { await maskinporten.wellKnownURL() }
            configuration.navApis.azureTokenEndpoint = EndpointURL { await nav.baseURL(.azureAD) + "/token" }
            configuration.navApis.aareg = EndpointURL { await nav.baseURL(.aareg) }
            configuration.navApis.pdl = EndpointURL { await nav.baseURL(.pdl) + "/graphql" }
            let app = try MottakApplication.build(
                configuration: configuration, roles: Set(Role.allCases), leadingServices: [maskinporten, nav], logger: TestServices.logger)
            try await app.test(.router) { client in
                _ = try await HealthEndpointTests.waitForReadiness(client, status: .ok)
                // The lookup must not run before the sykmelding ingest has read the seeded topic
                // (three active sykmeldinger; the ended one is not kept).
                try await Self.waitFor("the seeded sykmeldinger") {
                    var count = 0
                    for try await rows in try await postgres.query("SELECT count(*)::int8 FROM sykmelding_period").decode(Int.self) { count = rows }
                    return count == 3
                }
                let token = try issuer.token(consumer: LocalNavFixtures.workplace)
                func submit(_ person: LocalNavFixtures.Person) async throws -> UUID {
                    let response = try await client.execute(
                        uri: "/api/v1/followupplan", method: .post,
                        headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                        body: ByteBuffer(bytes: PlanJSON.body(["employeeIdentificationNumber": person.identificationNumber, "sendPlanToGeneralPractitioner": true])))
                    #expect(response.status == .ok)
                    return UUID(uuidString: try SubmitAnswer(response).uuid)!
                }
                let ready = try await submit(LocalNavFixtures.ready)
                let unemployed = try await submit(LocalNavFixtures.withoutEmployment)
                let ended = try await submit(LocalNavFixtures.endedSykmelding)

                try await Self.waitForState(of: ready, "IN_PROGRESS", postgres)
                try await Self.waitForState(of: unemployed, "REJECTED", postgres)
                try await Self.waitForState(of: ended, "REJECTED", postgres)
                #expect(try await Self.errorType(of: unemployed, postgres) == "NO_ACTIVE_EMPLOYMENT")
                #expect(try await Self.errorType(of: ended, postgres) == "NO_ACTIVE_SENT_SYKMELDING")
                #expect(nav.requests(to: .pdl).count == 1, "only the plan that passed the first two checks reached PDL")
            }
        }
        withExtendedLifetime(cluster) {}
    }

    static func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw MissingTestService(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func waitForState(of plan: UUID, _ state: String, _ postgres: PostgresClient, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = "?"
        while ContinuousClock.now < deadline {
            for try await current in try await postgres.query("SELECT state FROM plan_status WHERE plan_uuid = \(plan)").decode(String.self) {
                last = current
            }
            if last == state { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("plan \(plan) is \(last), not \(state), after \(timeout)")
    }

    static func errorType(of plan: UUID, _ postgres: PostgresClient) async throws -> String? {
        for try await type in try await postgres.query("SELECT error_type FROM plan_status WHERE plan_uuid = \(plan)").decode(String?.self) {
            return type
        }
        return nil
    }
}
