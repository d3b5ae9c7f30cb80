import Domain
import EventProcessing
import Foundation
import HTTPTypes
import HummingbirdTesting
import Kafka
import KafkaMock
import LocalStandIns
import NIOCore
import NavClients
import PostgresNIO
import TestSupport
import Testing

@testable import MottakApp

/// Nothing internal in public answers (issue #18): every path to a FAILED or REJECTED plan or
/// channel — each NAV API answering 5xx or garbage, a refused connection, dead-lettering, a
/// re-drive — and every text a client or publisher can read afterwards (the POST's answer, the
/// status resource, `followupplan.status.v1`) holds no URL, host, dependency or Swift error
/// text, and every error message in it is from ``PublicProblems/catalogue``.
@Suite(.timeLimit(.minutes(5))) struct PublicTextTests {
    /// One way to fail: what is injected into which stand-in, and the plan that meets it.
    struct Scenario: Sendable {
        var name: String
        var api: LocalNavServer.API
        var failure: LocalNavServer.Failure
        var person = LocalNavFixtures.ready
        var changes: [String: Bool] = ["needsHelpFromNav": false, "sendPlanToGeneralPractitioner": false]
    }

    static let garbage = LocalNavServer.Failure.answer(
        200, body: "<html><body>Bad gateway at pdl-api.intern.nav.no:443</body></html>", contentType: "text/html")

    /// Azure AD first: its tokens are cached once fetched.
    static let scenarios: [Scenario] = [
        .init(name: "azuread 503", api: .azureAD, failure: .status(503)),
        .init(name: "aareg 503", api: .aareg, failure: .status(503)),
        .init(name: "aareg garbage", api: .aareg, failure: garbage),
        .init(name: "pdl 503", api: .pdl, failure: .status(503)),
        .init(name: "pdl garbage", api: .pdl, failure: .answer(200, body: #"{"data":{"hentPerson":"#)),
        .init(name: "pdfgen 503", api: .pdfgen, failure: .status(503)),
        .init(name: "ereg garbage", api: .ereg, failure: garbage),
        .init(name: "dokarkiv 503", api: .dokarkiv, failure: .status(503)),
        .init(
            name: "dokarkiv without id", api: .dokarkiv,
            failure: .answer(201, body: #"{"melding":"java.lang.NullPointerException at no.nav.dokarkiv"}"#)),
        .init(
            name: "isdialogmelding 503", api: .isdialogmelding, failure: .status(503),
            changes: ["sendPlanToNav": false, "needsHelpFromNav": false, "sendPlanToGeneralPractitioner": true]),
        .init(
            name: "isdialogmelding 400", api: .isdialogmelding, failure: .answer(400, body: "Invalid personident", contentType: "text/plain"),
            changes: ["sendPlanToNav": false, "needsHelpFromNav": false, "sendPlanToGeneralPractitioner": true]),
    ]

    @Test func everyFailureShowsOnlyCatalogueTextsAndAReDriveCompletesThePlans() async throws {
        try await PipelineFlowTests.withPipeline { pipeline in
            var plans: [UUID] = []
            var eventPlans: [UUID] = []
            var answers: [String] = []
            let producer = try KafkaProducer(
                configuration: KafkaConfiguration(bootstrapServers: pipeline.cluster.bootstrapServers), logger: TestServices.logger)
            for scenario in Self.scenarios {
                pipeline.nav.clearFailures()
                pipeline.nav.inject(scenario.failure, into: scenario.api)
                // The waiting POST (it answers 202 once the plan FAILED, or 404 for a GP-only refusal) ...
                let answer = try await pipeline.submitWaiting(scenario.person, scenario.changes)
                answers.append(String(buffer: answer.body))
                let plan = UUID(uuidString: try #require(answer.headers[.location]).split(separator: "/")[3].description)!
                plans.append(plan)
                // ... and the same plan through the event front door, whose publisher reads status events.
                let eventPlan = UUID()
                var body = PlanJSON.valid.merging(scenario.changes) { $1 }
                body["employeeIdentificationNumber"] = scenario.person.identificationNumber
                _ = try await producer.send(
                    topic: EventTopics.local.submitted, key: Array(eventPlan.lowercasedString.utf8),
                    value: EventIntakeFlowTests.event(eventPlan, plan: body))
                eventPlans.append(eventPlan)
                for uuid in [plan, eventPlan] { try await Self.waitUntilSettled(uuid, pipeline.postgres, scenario.name) }
            }
            pipeline.nav.clearFailures()
            #expect(try await Self.states(plans + eventPlans, pipeline.postgres).values.contains("FAILED"), "the scenarios failed plans")
            try await Self.expectOnlyCatalogueTexts(answers: answers, plans: plans, eventPlans: eventPlans, pipeline) { _ in true }

            // The cause is fixed; the operator re-drives. What was dead-lettered completes, and
            // nothing said on the way shows internals either.
            let tool = DeadLetterTool(
                kafka: KafkaConfiguration(bootstrapServers: pipeline.cluster.bootstrapServers, properties: ["session.timeout.ms": "6000"]),
                topics: .local, logger: TestServices.logger)
            #expect(try await tool.redrive(producer: producer).redriven.count >= 10)
            let refused = [plans.last!, eventPlans.last!]  // isdialogmelding 400: final, not re-driven
            for uuid in plans + eventPlans where !refused.contains(uuid) {
                try await PipelineFlowTests.waitForState(of: uuid, "COMPLETED", pipeline.postgres)
            }
            let completed = Set(eventPlans.dropLast().map { $0.lowercasedString })
            try await Self.expectOnlyCatalogueTexts(answers: answers, plans: plans, eventPlans: eventPlans, pipeline) { events in
                completed.isSubset(of: Set(events.filter { $0["state"] as? String == "COMPLETED" }.compactMap { $0["uuid"] as? String }))
            }
            await producer.close(flushTimeout: .seconds(5))
        }
    }

    /// A connection refused (and, by the same path, a timeout) names the URL in the error: the
    /// NAV channel's dokarkiv here points at a port where nothing listens.
    @Test func aRefusedConnectionShowsNoURL() async throws {
        let unreachable: @Sendable (inout AppConfiguration) -> Void = { $0.navApis.dokarkiv = EndpointURL("http://127.0.0.1:1/dokarkiv") }
        try await PipelineFlowTests.withPipeline(configure: unreachable) { pipeline in
            let answer = try await pipeline.submitWaiting(
                LocalNavFixtures.ready, ["needsHelpFromNav": false, "sendPlanToGeneralPractitioner": false])
            let plan = UUID(uuidString: try #require(answer.headers[.location]).split(separator: "/")[3].description)!
            try await Self.waitUntilSettled(plan, pipeline.postgres, "dokarkiv refused")
            #expect(try await PipelineFlowTests.state(of: plan, pipeline.postgres) == "FAILED")
            try await Self.expectOnlyCatalogueTexts(answers: [String(buffer: answer.body)], plans: [plan], eventPlans: [], pipeline) { _ in true }
        }
    }

    /// Every dead-letter reason (poison texts, exhausted retries with an error's description)
    /// becomes a catalogue text in the status; the reason stays in the dead letter. And a text
    /// outside the catalogue that reaches the status store anyway is replaced there.
    @Test func planFailureReportsCarryOnlyCatalogueTexts() throws {
        let reasons: [DeadLetterReason] = [
            .poison("no plan 6f1f1f4e-2a8b-4c39-9f0e-6b3f0c6d2a11 is stored"),
            .retriesExhausted(attempts: 8, lastError: "dokarkiv unavailable: http://dokarkiv.teamdokumenthandtering/rest: connection refused"),
        ]
        for reason in reasons {
            for channel in [nil, DeliveryChannel.nav, .generalPractitioner] {
                let event = StatusStepReports.statusEvent(UUID(), channel: channel, reason: reason)
                let error = try #require(event.error)
                #expect(PublicProblems.catalogue.contains { $0.type == error.type && $0.message == error.message }, "\(error.message)")
                #expect(event.malformation == nil)
                Self.expectNoInternals(error.message, "the report for \(reason.headerValue)")
            }
        }
        for channel in [DeliveryChannel.nav, .generalPractitioner] {
            for problem in [
                StatusStepEvent.Problem(
                    type: .internalServerError,
                    message:
                        "The plan could not be processed (failed 8 times: dokarkiv unavailable: http://dokarkiv/rest: connection refused); NAV has been alerted"
                ),
                StatusStepEvent.Problem(type: .generalPractitionerNotFound, message: "isdialogmelding said: FastlegeIkkeFunnet"),
                StatusStepEvent.Problem(type: .validationError, message: "DecodingError.keyNotFound(CodingKeys(stringValue: \"x\"))"),
            ] {
                let shown = PublicProblems.sanitized(problem, channel: channel)
                #expect(PublicProblems.catalogue.contains { $0.type == shown.type && $0.message == shown.message })
                #expect(shown.type == problem.type)
            }
        }
        for entry in PublicProblems.catalogue {
            #expect(PublicProblems.sanitized(.init(entry), channel: nil) == .init(entry), "catalogue texts pass unchanged")
            Self.expectNoInternals(entry.message, "catalogue")
        }
    }

    // MARK: - Checks

    /// `enough` says when the public status events read so far are all the test waits for
    /// (besides a final one for every event plan).
    static func expectOnlyCatalogueTexts(
        answers: [String], plans: [UUID], eventPlans: [UUID], _ pipeline: PipelineFlowTests.Pipeline,
        enough: @escaping @Sendable ([[String: Any]]) -> Bool
    ) async throws {
        var texts = answers
        for plan in plans {
            let status = try await pipeline.client.execute(
                uri: "/api/v1/followupplan/\(plan.lowercasedString)/sendingstatus", method: .get,
                headers: [.authorization: "Bearer \(pipeline.token)"], body: nil)
            #expect(status.status == .ok)
            texts.append(String(buffer: status.body))
        }
        let wanted = Set(eventPlans.map { $0.lowercasedString })
        let events =
            eventPlans.isEmpty
            ? []
            : try await EventIntakeFlowTests.statusEvents(pipeline.cluster) { events in
                let settled = events.filter { ["FAILED", "COMPLETED", "REJECTED"].contains($0["state"] as? String ?? "") }
                return wanted.isSubset(of: Set(settled.compactMap { $0["uuid"] as? String })) && enough(events)
            }
        texts += try events.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let catalogue = Set(PublicProblems.catalogue.map(\.message))
        for text in texts {
            expectNoInternals(text, text)
            for message in errorMessages(in: try JSONSerialization.jsonObject(with: Data(text.utf8))) {
                #expect(catalogue.contains(message), "not in the catalogue: \(message)")
            }
        }
    }

    /// What must never reach a client: URLs, hosts, ports, NAV API names, Swift error texts.
    static func expectNoInternals(_ text: String, _ context: String) {
        let lowered = text.lowercased()
        let forbidden = [
            "://", "127.0.0.1", "localhost", ".nav.no", "unavailable", "status 5", "dependencyunavailable", "navaccessdenied", "psqlerror",
            "httpclienterror", "decodingerror", "poison", "failed 2 times", "exception", "aareg", "pdl", "krr", "pdfgen", "ereg", "dokarkiv",
            "isdialogmelding", "azuread", "connection", "timeout", "<html",
        ]
        for word in forbidden { #expect(!lowered.contains(word), "\(word) in \(context)") }
    }

    /// The `message` of every ApiError-shaped object (`status`, `type`, `message`) in a JSON value.
    static func errorMessages(in value: Any) -> [String] {
        switch value {
        case let object as [String: Any]:
            let own = object["type"] is String && object["status"] != nil ? [object["message"] as? String].compactMap { $0 } : []
            return own + object.values.flatMap(errorMessages(in:))
        case let array as [Any]:
            return array.flatMap(errorMessages(in:))
        default:
            return []
        }
    }

    static func waitUntilSettled(_ plan: UUID, _ postgres: PostgresClient, _ what: String) async throws {
        try await eventually("\(what): plan \(plan) to settle") {
            let state = try await PipelineFlowTests.state(of: plan, postgres)
            return state.map { ["FAILED", "COMPLETED", "REJECTED"].contains($0) } ?? false
        }
    }

    static func states(_ plans: [UUID], _ postgres: PostgresClient) async throws -> [UUID: String] {
        var states: [UUID: String] = [:]
        for plan in plans { states[plan] = try await PipelineFlowTests.state(of: plan, postgres) }
        return states
    }
}
