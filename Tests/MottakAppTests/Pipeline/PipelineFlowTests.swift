import Domain
import EventProcessing
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kafka
import KafkaMock
import LocalStandIns
import Logging
import NIOCore
import NavClients
import PostgresNIO
import Storage
import TestSupport
import Testing

@testable import MottakApp
@testable import MottakDev

/// The whole process as `mottak-dev` runs it: POST → outbox → relay → Kafka → lookup (stand-ins
/// over HTTP, sykmeldinger from the seeded topic) → status updater → `plan_status`.
@Suite(.timeLimit(.minutes(5))) struct PipelineFlowTests {
    @Test func plansAreDeliveredOrRejectedThroughThePipeline() async throws {
        try await Self.withPipeline { pipeline in
            let noHelp: [String: Any] = ["needsHelpFromNav": false]
            let ready = try await pipeline.submit(LocalNavFixtures.ready)
            let navOnly = try await pipeline.submit(LocalNavFixtures.ready, ["sendPlanToGeneralPractitioner": false, "needsHelpFromNav": false])
            let gpOnly = try await pipeline.submit(LocalNavFixtures.ready, ["sendPlanToNav": false, "needsHelpFromNav": false])
            let withoutGP = try await pipeline.submit(LocalNavFixtures.withoutGeneralPractitioner, noHelp)
            let gpOnlyWithoutGP = try await pipeline.submit(
                LocalNavFixtures.withoutGeneralPractitioner, ["sendPlanToNav": false, "needsHelpFromNav": false])
            let protected = try await pipeline.submit(LocalNavFixtures.protectedAddress, noHelp)
            let unemployed = try await pipeline.submit(LocalNavFixtures.withoutEmployment)
            let ended = try await pipeline.submit(LocalNavFixtures.endedSykmelding)
            let unknown = try await pipeline.submit(LocalNavFixtures.unknownToPdl)

            for plan in [ready, navOnly, gpOnly, withoutGP, protected] { try await Self.waitForState(of: plan, "COMPLETED", pipeline.postgres) }
            try await Self.waitForState(of: gpOnlyWithoutGP, "FAILED", pipeline.postgres)
            for plan in [unemployed, ended, unknown] { try await Self.waitForState(of: plan, "REJECTED", pipeline.postgres) }
            #expect(try await Self.errorType(of: unemployed, pipeline.postgres) == "NO_ACTIVE_EMPLOYMENT")
            #expect(try await Self.errorType(of: ended, pipeline.postgres) == "NO_ACTIVE_SENT_SYKMELDING")
            #expect(try await Self.errorType(of: unknown, pipeline.postgres) == "EMPLOYEE_NOT_FOUND")
            #expect(try await Self.errorType(of: gpOnlyWithoutGP, pipeline.postgres) == "GENERAL_PRACTITIONER_NOT_FOUND")

            // Each channel as asked: NAV only, GP only, both; a GP missing fails only its channel.
            let channels = try await Self.channelStates(pipeline.postgres)
            #expect(channels[ready]?.nav == "SENT" && channels[ready]?.gp == "SENT")
            #expect(channels[navOnly]?.nav == "SENT" && channels[navOnly]?.gp == "NOT_REQUESTED")
            #expect(channels[gpOnly]?.nav == "NOT_REQUESTED" && channels[gpOnly]?.gp == "SENT")
            #expect(channels[withoutGP]?.nav == "SENT" && channels[withoutGP]?.gp == "FAILED")

            // One journal post per plan that went to NAV, one GP message per plan for the GP,
            // one PDF per plan that was delivered anywhere; none for a rejected plan.
            #expect(pipeline.nav.requests(to: .dokarkiv).count == 4)
            #expect(pipeline.nav.requests(to: .isdialogmelding).count == 5)
            #expect(pipeline.nav.requests(to: .pdfgen).count == 6, "one PDF per delivered plan, shared by its channels")
            let journalposts = try await Self.journalposts(pipeline.postgres)
            #expect(Set(journalposts.keys) == [ready, navOnly, withoutGP, protected])

            // The PDF's personal details: PDL name and address, KRR phone and e-mail; a
            // protected address is left out.
            let readyPDF = try Self.pdfData(for: LocalNavFixtures.ready, pipeline.nav).first
            #expect(readyPDF?["employeeName"] as? String == "Kari Nordmann")
            #expect(readyPDF?["employeeAddress"] as? String == "Fancy gate 1A 1234 OSLO")
            #expect(readyPDF?["employeePhoneNumber"] as? String == "+4799999999")
            #expect(readyPDF?["employeeEmail"] as? String == "ansatt@example.no")
            let protectedPDF = try Self.pdfData(for: LocalNavFixtures.protectedAddress, pipeline.nav)
            #expect(protectedPDF.count == 1)
            #expect(protectedPDF.first?["employeeAddress"] is NSNull, "strengt fortrolig: no address in the PDF")
            #expect(protectedPDF.first?["employeeName"] as? String == "Kari Nordmann")

            // The Modia task for the plan that asked for help, keyed by its uuid.
            let modia = try await Self.firstMessage(of: EventTopics.local.modiaTask, pipeline.cluster)
            #expect(modia.key.map { String(decoding: $0, as: UTF8.self) } == ready.lowercasedString)
            let task = try JSONSerialization.jsonObject(with: Data(modia.value ?? [])) as? [String: Any]
            #expect(task?["uuid"] as? String == ready.lowercasedString)
            #expect(task?["fodselsnummer"] as? String == LocalNavFixtures.ready.identificationNumber)
            #expect(task?["virksomhetsnummer"] as? String == LocalNavFixtures.workplace)
            #expect(task?["behovForBistandFraNav"] as? Bool == true)
            #expect(task?["opprettet"] is Int)

            // What operations see: outcomes, stage latency, NAV's APIs, the consumers' work.
            let metrics = try await Self.metrics(pipeline.client)
            #expect(metrics.sum("mottak_plans_total", [#"outcome="COMPLETED""#]) == 5)
            #expect(metrics.sum("mottak_plans_total", [#"outcome="REJECTED""#, #"error_type="EMPLOYEE_NOT_FOUND""#]) == 1)
            #expect(metrics.sum("mottak_plans_total", [#"outcome="FAILED""#, #"error_type="GENERAL_PRACTITIONER_NOT_FOUND""#]) == 1)
            #expect(metrics.sum("mottak_plan_stage_seconds_count", [#"stage="final""#]) == 9)
            #expect(metrics.sum("mottak_external_request_duration_seconds_count", [#"target="dokarkiv""#, #"outcome="201""#]) == 4)
            #expect(metrics.sum("mottak_external_request_duration_seconds_count", [#"target="isdialogmelding""#, #"outcome="404""#]) == 2)
            // At least once: a rebalance may hand a message out again (its verdict is reused).
            #expect(metrics.sum("mottak_messages_total", [#"consumer_group="oppfolgingsplan-mottak-lookup""#, #"result="processed""#]) >= 9)

            // The answer as today's LPS systems get it: after the pipeline's outcome.
            let delivered = try await pipeline.submitWaiting(LocalNavFixtures.ready, ["needsHelpFromNav": false])
            #expect(delivered.status == .ok)
            let answer = try SubmitAnswer(delivered)
            #expect(answer.isSentToNavStatus && answer.isSentToGeneralPractitionerStatus)
            let refused = try await pipeline.submitWaiting(LocalNavFixtures.withoutEmployment)
            #expect(refused.status == .forbidden)
            #expect(try ApiErrorBody(refused) == ApiErrorBody(.noActiveEmployment))
            let noGP = try await pipeline.submitWaiting(
                LocalNavFixtures.withoutGeneralPractitioner, ["sendPlanToNav": false, "needsHelpFromNav": false])
            #expect(noGP.status == .notFound)
            #expect(try ApiErrorBody(noGP) == ApiErrorBody(.generalPractitionerNotFound))
        }
    }

    /// The caller's `traceparent` travels with the plan: every event of the plan carries its
    /// trace id, and so does every log line of the roles that handled it.
    @Test func aPlanIsOneTraceFromThePostToItsStatus() async throws {
        let lines = LogLines()
        var logger = Logger(label: "mottak") { JSONLogHandler(label: $0, metadataProvider: LogFormat.traceLogMetadata, write: lines.append) }
        logger.logLevel = .info
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        try await Self.withPipeline(logger: logger) { pipeline in
            let response = try await pipeline.submitWaiting(
                LocalNavFixtures.ready, ["needsHelpFromNav": false], headers: [HTTPField.Name("traceparent")!: "00-\(traceID)-00f067aa0ba902b7-01"])
            #expect(response.status == .ok)
            let uuid = try SubmitAnswer(response).uuid
            // The lookup routes, and the roles write the status themselves (#28): no verified or
            // status topic to follow.
            for topic in [EventTopics.local.received, EventTopics.local.navChannel, EventTopics.local.gpChannel] {
                let message = try await Self.firstMessage(of: topic, pipeline.cluster)
                #expect(message.key.map { String(decoding: $0, as: UTF8.self) } == uuid, "\(topic)")
                #expect(TraceLogContext.traceID(ofTraceparent: message.header("traceparent")) == traceID, "\(topic) carries the trace")
            }
            let handled = lines.all.filter { $0.contains(#""plan_uuid":"\#(uuid)""#) }
            for step in ["plan verified", "plan delivered to NAV", "plan delivered to the GP"] {
                #expect(handled.contains { $0.contains(step) }, "the roles' lines of the plan: \(step)")
            }
            #expect(handled.allSatisfy { $0.contains(#""trace_id":"\#(traceID)""#) }, "\(handled.filter { !$0.contains(traceID) }.prefix(2))")
        }
    }

    @Test func anOutageInEachRoleIsRetriedAndThePlanStillCompletes() async throws {
        try await Self.withPipeline { pipeline in
            // One failure per role (these tests allow two attempts): the lookup's Aareg, the NAV
            // channel's dokarkiv, the GP channel's isdialogmelding.
            for api in [LocalNavServer.API.aareg, .dokarkiv, .isdialogmelding] {
                pipeline.nav.inject(.status(503, times: 1), into: api)
            }
            let plan = try await pipeline.submit(LocalNavFixtures.ready)
            try await Self.waitForState(of: plan, "COMPLETED", pipeline.postgres)
            for api in [LocalNavServer.API.aareg, .dokarkiv, .isdialogmelding] {
                #expect(pipeline.nav.requests(to: api).count >= 2, "\(api) was retried")
            }
            // dokarkiv refused the first post; the retry made the one journal post.
            #expect(try await Self.journalposts(pipeline.postgres)[plan] == "600000001")
        }
    }

    @Test func aDeadLetteredPlanIsFailedAndCompletesWhenReDriven() async throws {
        try await Self.withPipeline { pipeline in
            pipeline.nav.inject(.status(503), into: .aareg)
            let plan = try await pipeline.submit(LocalNavFixtures.ready)
            try await Self.waitForState(of: plan, "FAILED", pipeline.postgres)
            #expect(try await Self.errorType(of: plan, pipeline.postgres) == "INTERNAL_SERVER_ERROR")

            let tool = DeadLetterTool(
                kafka: KafkaConfiguration(bootstrapServers: pipeline.cluster.bootstrapServers, properties: ["session.timeout.ms": "6000"]),
                topics: .local, logger: TestServices.logger)
            // Usually one; two when a rebalance handed the message out again before its offset
            // was committed (at least once). Re-driving both is harmless: handling is idempotent.
            let letters = try await tool.list()
            #expect((1...2).contains(letters.count))
            #expect(letters.allSatisfy { $0.key == plan.lowercasedString })
            #expect(letters.first?.sourceTopic == EventTopics.local.received)
            #expect(letters.first?.attempts == "2")
            #expect(letters.first?.reason.contains("aareg unavailable: status 503") == true)

            // The cause is fixed; the operator re-drives.
            pipeline.nav.clearFailures()
            let producer = try KafkaProducer(
                configuration: KafkaConfiguration(bootstrapServers: pipeline.cluster.bootstrapServers), logger: TestServices.logger)
            #expect(try await tool.redrive(producer: producer).redriven.count >= letters.count)
            try await Self.waitForState(of: plan, "COMPLETED", pipeline.postgres)
            #expect(try await tool.redrive(producer: producer).redriven.isEmpty, "each dead letter is re-driven once")
            let metrics = try await Self.metrics(pipeline.client)
            let lookup = #"consumer_group="oppfolgingsplan-mottak-lookup""#
            // Each dead letter: two attempts (one retry), each an Aareg 503.
            let deadLettered = metrics.sum("mottak_dead_letters_total", [lookup, #"reason="retries_exhausted""#])
            #expect(deadLettered >= 1)
            #expect(metrics.sum("mottak_message_retries_total", [lookup]) == deadLettered)
            #expect(metrics.sum("mottak_external_request_failures_total", [#"target="aareg""#, #"reason="5xx""#]) == 2 * deadLettered)
            #expect(pipeline.nav.requests(to: .dokarkiv).count == 1)
            await producer.close(flushTimeout: .seconds(5))
        }
    }

    struct Pipeline: Sendable {
        let client: any TestClientProtocol
        let postgres: PostgresClient
        let nav: LocalNavServer
        let cluster: EmbeddedKafkaCluster
        let token: String

        /// Submits without waiting for the outcome (`Prefer: respond-async`): 202 and the uuid.
        func submit(_ person: LocalNavFixtures.Person, _ changes: [String: Any] = [:]) async throws -> UUID {
            let response = try await submitWaiting(person, changes, waiting: false)
            #expect(response.status == .accepted)
            return UUID(uuidString: try SubmitAnswer(response).uuid)!
        }

        /// Submits as an LPS of today does: the answer waits for the pipeline's outcome.
        func submitWaiting(
            _ person: LocalNavFixtures.Person, _ changes: [String: Any] = [:], waiting: Bool = true, headers extra: HTTPFields = [:]
        ) async throws -> TestResponse {
            let fields: [String: Any] = ["employeeIdentificationNumber": person.identificationNumber, "sendPlanToGeneralPractitioner": true]
            var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(token)"]
            for field in extra { headers[field.name] = field.value }
            if !waiting { headers[HTTPField.Name("Prefer")!] = "respond-async" }
            return try await client.execute(
                uri: "/api/v1/followupplan", method: .post, headers: headers, body: ByteBuffer(bytes: PlanJSON.body(fields.merging(changes) { $1 })))
        }
    }

    /// The whole process with every role, stand-ins for NAV's APIs, the embedded Kafka with the
    /// sykmelding topic seeded (and read by the ingest), and retries shortened to two quick attempts.
    /// `logger` is the service's (the stand-ins and the embedded Kafka log to the test log).
    static func withPipeline(
        logger: Logger = TestServices.logger, devTokenCredentials: (String, String)? = nil,
        configure: @escaping @Sendable (inout AppConfiguration) -> Void = { _ in }, _ body: @escaping @Sendable (Pipeline) async throws -> Void
    ) async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestServices.logger)
        try cluster.createTopics(TopicPartitions.all.map { TopicSpec(name: $0.name, partitions: $0.partitions, replicationFactor: 1) })
        try await DevStack.seedSykmeldinger(
            KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), topic: EventTopics.local.sendtSykmelding, logger: TestServices.logger)
        let issuer = try LocalMaskinportenIssuer()
        let maskinporten = LocalMaskinportenServer(issuers: [issuer], logger: TestServices.logger)
        let nav = try LocalNavServer(logger: TestServices.logger)

        try await TestServices.withFreshDatabase { database, postgres in
            var configuration = HealthEndpointTests.configuration(database: database, kafka: cluster.bootstrapServers)
            configuration.maskinporten = MaskinportenConfiguration(description: "test issuer") { await maskinporten.wellKnownURL() }
            configuration.navApis = DevStack.standIns(nav, filling: try AppConfiguration(environment: [:], mode: .dev).navApis)
            configuration.retryPolicy = RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(10))
            // A waiting POST answers as soon as its plan is final; the longest bound the intake
            // allows keeps a test that expects the 200 from depending on the machine's speed
            // (a dozen whole pipelines run beside each other in `make test`).
            configuration.submissionWait = .seconds(60)
            configuration.accessDeniedRetryPolicy = RetryPolicy(maximumAttempts: 4, initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200))
            configure(&configuration)
            let tokenRoute = devTokenCredentials.map { DevTokenRoute(issuer: issuer, username: $0.0, password: $0.1) }
            let demo = try tokenRoute.map { DemoRoutes(assets: try DemoRoutes.assets(), tokens: $0) }
            let app = try MottakApplication.build(
                configuration: configuration, roles: Set(Role.allCases), leadingServices: [maskinporten, nav],
                devRoutes: { router in
                    tokenRoute?.register(on: router)
                    demo?.register(on: router)
                }, logger: logger)
            try await app.test(.router) { client in
                _ = try await HealthEndpointTests.waitForReadiness(client, status: .ok)
                // The lookup must not run before the sykmelding ingest has read the seeded topic
                // (every fixture's sykmelding but the ended one, which is not kept).
                try await eventually("the seeded sykmeldinger") {
                    var count = 0
                    for try await rows in try await postgres.query("SELECT count(*)::int8 FROM sykmelding_period").decode(Int.self) { count = rows }
                    return count == DevStack.seededPeriodsKept
                }
                try await body(
                    Pipeline(
                        client: client, postgres: postgres, nav: nav, cluster: cluster, token: try issuer.token(consumer: LocalNavFixtures.workplace))
                )
            }
        }
        withExtendedLifetime(cluster) {}
    }

    static func waitForState(of plan: UUID, _ state: String, _ postgres: PostgresClient, timeout: Duration = .seconds(60)) async throws {
        try await eventually("plan \(plan) to be \(state)", timeout: timeout, poll: .milliseconds(100)) {
            var last = "?"
            for try await current in try await postgres.query("SELECT state FROM plan_status WHERE plan_uuid = \(plan)").decode(String.self) {
                last = current
            }
            return last == state
        }
    }

    static func journalposts(_ postgres: PostgresClient) async throws -> [UUID: String] {
        var ids: [UUID: String] = [:]
        let rows = try await postgres.query("SELECT plan_uuid, nav_journalpost_id FROM plan_status WHERE nav_journalpost_id IS NOT NULL")
        for try await (uuid, id) in rows.decode((UUID, String).self) { ids[uuid] = id }
        return ids
    }

    static func firstMessage(of topic: String, _ cluster: EmbeddedKafkaCluster) async throws -> KafkaMessage {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, properties: ["session.timeout.ms": "6000"]),
            consumer: .init(groupID: "check-\(UUID())", topics: [topic]), logger: TestServices.logger)
        defer { Task { await consumer.close() } }
        for try await message in consumer.messages { return message }
        throw MissingTestService(description: "no message on \(topic)")
    }

    static func channelStates(_ postgres: PostgresClient) async throws -> [UUID: (nav: String, gp: String)] {
        var states: [UUID: (nav: String, gp: String)] = [:]
        for try await (uuid, nav, gp) in try await postgres.query("SELECT plan_uuid, nav_state, gp_state FROM plan_status").decode(
            (UUID, String, String).self)
        {
            states[uuid] = (nav, gp)
        }
        return states
    }

    /// The `lpsPlanData` of each PDF requested for `person`.
    static func pdfData(for person: LocalNavFixtures.Person, _ nav: LocalNavServer) throws -> [[String: Any]] {
        try nav.requests(to: .pdfgen).compactMap { request in
            let data = (try JSONSerialization.jsonObject(with: request.body) as? [String: Any])?["lpsPlanData"] as? [String: Any]
            return data?["employeeFnr"] as? String == person.identificationNumber ? data : nil
        }
    }

    static func metrics(_ client: any TestClientProtocol) async throws -> PrometheusText {
        PrometheusText(text: String(buffer: try await client.execute(uri: "/internal/metrics", method: .get, headers: [:], body: nil).body))
    }

    static func state(of plan: UUID, _ postgres: PostgresClient) async throws -> String? {
        for try await state in try await postgres.query("SELECT state FROM plan_status WHERE plan_uuid = \(plan)").decode(String.self) {
            return state
        }
        return nil
    }

    static func errorType(of plan: UUID, _ postgres: PostgresClient) async throws -> String? {
        for try await type in try await postgres.query("SELECT error_type FROM plan_status WHERE plan_uuid = \(plan)").decode(String?.self) {
            return type
        }
        return nil
    }
}

/// The `/internal/metrics` page, for sums over the series of a metric.
struct PrometheusText {
    let text: String

    /// The sum of the samples of `name` whose labels contain each of `labels`.
    func sum(_ name: String, _ labels: [String] = []) -> Double {
        text.split(separator: "\n")
            .filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .filter { line in labels.allSatisfy { line.contains($0) } }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }
}
