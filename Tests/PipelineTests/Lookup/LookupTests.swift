import Domain
import EventProcessing
import Foundation
import HTTPTypes
import Kafka
import KafkaMock
import LocalStandIns
import Logging
import NavClients
import PlanPdf
import PlanStatusRecords
import PostgresNIO
import Storage
import Submissions
import SykmeldingIngest
import TestSupport
import Testing

@testable import Lookup

/// The lookup against real PostgreSQL, the embedded Kafka, and the stand-ins over HTTP.
@Suite(.timeLimit(.minutes(5))) struct LookupTests {
    static let employer = LocalNavFixtures.workplace

    @Test func eachFixtureGetsTheContractsVerdictInOrder() async throws {
        try await Self.withLookup { lookup in
            try await lookup.seedActiveSykmeldinger()
            let cases: [(LocalNavFixtures.Person, String, ApiError?)] = [
                (LocalNavFixtures.ready, Self.employer, nil),
                (LocalNavFixtures.ready, LocalNavFixtures.legalEntity, nil),  // the legal entity's token covers its sub-unit
                (LocalNavFixtures.ready, "111222333", .noActiveEmployment),
                (LocalNavFixtures.withoutEmployment, Self.employer, .noActiveEmployment),
                (LocalNavFixtures.endedSykmelding, Self.employer, .noActiveSentSykmelding),
                (LocalNavFixtures.unknownToPdl, Self.employer, .employeeNotFound),
                // PDL's bad_request (ugyldig_ident): the same verdict, never an outage.
                (LocalNavFixtures.invalidIdentity, Self.employer, .employeeNotFound),
                // Aareg also lists a person as employer, without `gjeldende`: the org one counts.
                (LocalNavFixtures.variants, Self.employer, nil),
                (LocalNavFixtures.variants, LocalNavFixtures.legalEntity, nil),
            ]
            for (person, employer, expected) in cases {
                let verdict = try await lookup.checks.verdict(employee: person.identificationNumber, employer: employer)
                #expect(verdict == expected, "\(person.identificationNumber) at \(employer)")
            }
            let aareg = lookup.nav.requests(to: .aareg)
            #expect(aareg.allSatisfy { $0.headers[.authorization]?.hasPrefix("Bearer local-") == true })
            #expect(lookup.nav.requests(to: .azureAD).count == 2, "one token per scope, cached")
        }
    }

    @Test func anOutageIsNeverAVerdict() async throws {
        try await Self.withLookup { lookup in
            try await lookup.seedActiveSykmeldinger()
            for api in [LocalNavServer.API.aareg, .pdl] {
                lookup.nav.inject(.status(503, times: 1), into: api)
                await #expect(throws: DependencyUnavailable.self, "\(api)") {
                    try await lookup.checks.verdict(employee: LocalNavFixtures.ready.identificationNumber, employer: Self.employer)
                }
            }
            lookup.nav.inject(.status(500, times: 1), into: .azureAD)
            let fresh = LookupChecks(
                aareg: AaregClient(baseURL: lookup.aaregURL, scope: "other.scope", tokens: lookup.tokens),
                sykmeldinger: ActiveSykmeldinger(postgres: lookup.postgres, logger: TestServices.logger),
                pdl: PdlClient(url: lookup.pdlURL, scope: "pdl", tokens: lookup.tokens))
            await #expect(throws: DependencyUnavailable.self) {
                try await fresh.verdict(employee: LocalNavFixtures.ready.identificationNumber, employer: Self.employer)
            }
            #expect(try await lookup.checks.verdict(employee: LocalNavFixtures.ready.identificationNumber, employer: Self.employer) == nil)
        }
    }

    /// 401/403 and PDL's `unauthorized` mean our access is wrong: thrown as such (the role
    /// retries slowly and alerts), never a verdict about the person.
    @Test func aRefusedAccessIsNeverAVerdict() async throws {
        try await Self.withLookup { lookup in
            try await lookup.seedActiveSykmeldinger()
            let unauthorized = #"{"errors":[{"message":"Ikke tilgang","extensions":{"code":"unauthorized"}}],"data":{"hentPerson":null}}"#
            for failure in [
                (LocalNavServer.API.aareg, LocalNavServer.Failure.status(403, times: 1)), (.pdl, .answer(200, body: unauthorized, times: 1)),
                (.pdl, .status(401, times: 1)),
            ] {
                lookup.nav.inject(failure.1, into: failure.0)
                await #expect(throws: NavAccessDenied.self, "\(failure.0)") {
                    try await lookup.checks.verdict(employee: LocalNavFixtures.ready.identificationNumber, employer: Self.employer)
                }
            }
            #expect(try await lookup.checks.verdict(employee: LocalNavFixtures.ready.identificationNumber, employer: Self.employer) == nil)
        }
    }

    // MARK: - Helpers

    struct Fixture: Sendable {
        let nav: LocalNavServer
        let tokens: AzureADTokenProvider
        let checks: LookupChecks
        let sykmeldinger: SykmeldingPeriods
        let aaregURL: EndpointURL
        let pdlURL: EndpointURL
        let postgres: PostgresClient

        /// The sykmeldinger `mottak-dev` seeds, straight into the table.
        func seedActiveSykmeldinger() async throws {
            for person in LocalNavFixtures.all {
                guard let days = person.sykmelding else { continue }
                let fom = CalendarDate(iso: SendtSykmeldingFixtures.day(days.fomDaysFromToday))!
                let tom = CalendarDate(iso: SendtSykmeldingFixtures.day(days.tomDaysFromToday))!
                try await sykmeldinger.replace(
                    SendtSykmelding(
                        sykmeldingID: "seed-\(person.identificationNumber)", employeeIdentificationNumber: person.identificationNumber,
                        organizationNumber: LocalNavFixtures.workplace, periods: [.init(fom: fom, tom: tom)]))
            }
        }
    }

    static func withLookup(_ body: @escaping @Sendable (Fixture) async throws -> Void) async throws {
        let nav = try LocalNavServer(logger: TestServices.logger)
        try await TestServices.withMigratedDatabase { postgres in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await nav.run() }
                defer { group.cancelAll() }
                let tokens = AzureADTokenProvider(
                    tokenEndpoint: EndpointURL { await nav.baseURL(.azureAD) + "/token" }, clientID: "test", clientSecret: "secret",
                    logger: TestServices.logger)
                let aaregURL = EndpointURL { await nav.baseURL(.aareg) }
                let pdlURL = EndpointURL { await nav.baseURL(.pdl) + "/graphql" }
                let sykmeldinger = SykmeldingPeriods(postgres: postgres, logger: TestServices.logger)
                let checks = LookupChecks(
                    aareg: AaregClient(baseURL: aaregURL, scope: "aareg", tokens: tokens),
                    sykmeldinger: ActiveSykmeldinger(postgres: postgres, logger: TestServices.logger),
                    pdl: PdlClient(url: pdlURL, scope: "pdl", tokens: tokens))
                try await body(
                    Fixture(
                        nav: nav, tokens: tokens, checks: checks, sykmeldinger: sykmeldinger, aaregURL: aaregURL, pdlURL: pdlURL, postgres: postgres))
            }
        }
    }
}

/// The lookup role end to end on Kafka: received event in, verdict events out.
@Suite(.timeLimit(.minutes(5))) struct LookupRoleTests {
    @Test func verifiedRejectedAndRedeliveredPlansGetTheirStatusAndTheRegistersAreAskedOnce() async throws {
        let bed = try PipelineKafka(topics: [
            EventTopics.local.received, EventTopics.local.verified, EventTopics.local.navChannel, EventTopics.local.gpChannel,
            EventTopics.local.status,
        ])
        try await LookupTests.withLookup { lookup in
            try await lookup.seedActiveSykmeldinger()
            let ready = try await Self.storePlan(LocalNavFixtures.ready, lookup.postgres)
            let unemployed = try await Self.storePlan(LocalNavFixtures.withoutEmployment, lookup.postgres)
            for submission in [ready, unemployed, ready] {  // the first plan is delivered twice
                _ = try await bed.producer.send(
                    topic: EventTopics.local.received, key: Array(submission.uuid.lowercasedString.utf8),
                    value: Array(submission.receivedEvent.jsonBody.utf8), headers: [KafkaHeader(key: "nav-call-id", value: "call-1")])
            }
            let service = Self.service(lookup, bed: bed, group: "lookup-e2e")
            try await bed.whileRunning(service) {
                // Routed at once to both channels it asked for (twice: it was delivered twice).
                for (topic, type) in [
                    (EventTopics.local.navChannel, "followupplan.channel.nav.v1"), (EventTopics.local.gpChannel, "followupplan.channel.gp.v1"),
                ] {
                    let routed = try await bed.take(2, from: topic)
                    #expect(routed.map(\.keyText) == [ready.uuid.lowercasedString, ready.uuid.lowercasedString])
                    #expect(routed.first?.text == ready.receivedEvent.jsonBody, "the received event, unchanged")
                    #expect(routed.allSatisfy { $0.header("nav-call-id") == "call-1" && $0.header("event-type") == type })
                }
                try await eventually("the rejection written") {
                    try await PipelineDatabase.status(unemployed.uuid, lookup.postgres)?.state == "REJECTED"
                }
            }
            // The verdict's record wrote the status in its statement, once: the redelivery changed nothing.
            #expect(
                try await PipelineDatabase.status(ready.uuid, lookup.postgres)
                    == .init(state: "IN_PROGRESS", errorType: nil, nav: "PENDING", gp: "PENDING", revision: 1))
            #expect(try await PipelineDatabase.status(unemployed.uuid, lookup.postgres)?.errorType == "NO_ACTIVE_EMPLOYMENT")
            #expect(try await bed.everything(on: EventTopics.local.status, atLeast: 0, settle: .seconds(1)).isEmpty, "no status event on the topic")
            #expect(try await bed.everything(on: EventTopics.local.verified, atLeast: 0, settle: .seconds(0)).isEmpty, "no hop through the router")
            #expect(lookup.nav.requests(to: .aareg).count == 2, "the redelivered plan reused its recorded verdict")
            // The verified plan's PDF was built once, before its channels; none for the rejected one.
            #expect(lookup.nav.requests(to: .pdfgen).count == 1)
            #expect(try await Self.hasPDF(ready.uuid, lookup.postgres))
            #expect(try await !Self.hasPDF(unemployed.uuid, lookup.postgres))
            // PDL once for the person: the check that they exist gave the PDF its name and address.
            let people = lookup.nav.requests(to: .pdl).filter { String(decoding: $0.body, as: UTF8.self).contains("hentPerson") }
            #expect(people.count == 1, "one hentPerson for the check and the PDF")
        }
    }

    /// A verdict recorded without its PDF (by a version before this one, or a delivery whose PDF
    /// could not be built): the redelivery builds the PDF, once, without asking the registers.
    @Test func aRedeliveryBuildsThePdfTheVerdictWentWithout() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.verified])
        try await LookupTests.withLookup { lookup in
            let plan = try await Self.storePlan(LocalNavFixtures.ready, lookup.postgres)
            let handler = Self.handler(lookup, bed: bed)
            _ = try await ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger)
                .record(LookupHandler.step, for: plan.uuid, result: #"{"verdict":"VERIFIED"}"#)
            #expect(try await handler.decide(plan.receivedEvent) == nil)
            #expect(try await Self.hasPDF(plan.uuid, lookup.postgres))
            #expect(try await handler.decide(plan.receivedEvent) == nil)
            #expect(lookup.nav.requests(to: .pdfgen).count == 1, "built once")
            #expect(lookup.nav.requests(to: .aareg).isEmpty, "the recorded verdict stands")
        }
    }

    /// The PDF goes in the verdict's own statement only when that verdict is this delivery's: a
    /// delivery that lost the race to another's record stores nothing beside it.
    @Test func aPdfGoesWithTheVerdictOnlyWhenTheVerdictIsThisDeliverys() async throws {
        try await LookupTests.withLookup { lookup in
            let ours = try await Self.storePlan(LocalNavFixtures.ready, lookup.postgres)
            let theirs = try await Self.storePlan(LocalNavFixtures.ready, lookup.postgres)
            let statuses = StatusTransitions(postgres: lookup.postgres, topics: .local, logger: TestServices.logger)
            let pdf = Array("%PDF-1.4 ours".utf8)
            func record(_ plan: PlanSubmission) -> StepRecording {
                statuses.recording(
                    LookupHandler.step, for: plan.uuid, frontDoor: .http, companion: { _ in PlanPdfStore.storedWithRecord(pdf) },
                    as: { _ in LookupHandler.statusEvent(plan.uuid, nil) })
            }
            // Another delivery recorded `theirs` first (after our read): our record finds theirs.
            _ = try await ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger)
                .record(LookupHandler.step, for: theirs.uuid, result: #"{"verdict":"VERIFIED"}"#)
            #expect(try await record(ours).record(#"{"verdict":"VERIFIED"}"#) == #"{"verdict": "VERIFIED"}"#)
            #expect(try await record(theirs).record(#"{"verdict":"VERIFIED"}"#) == #"{"verdict": "VERIFIED"}"#)
            #expect(try await Self.hasPDF(ours.uuid, lookup.postgres), "stored with our verdict")
            #expect(try await !Self.hasPDF(theirs.uuid, lookup.postgres), "not beside another delivery's verdict")
            #expect(try await PipelineDatabase.status(ours.uuid, lookup.postgres)?.state == "IN_PROGRESS")
        }
    }

    /// The PDF before the channels is an economy, not a step of its own: when it cannot be built,
    /// the plan goes to its channels all the same, which build it with their own retries and
    /// waiting status.
    @Test func aPdfTheLookupCannotBuildIsLeftToTheChannels() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.received, EventTopics.local.navChannel, EventTopics.local.gpChannel])
        try await LookupTests.withLookup { lookup in
            try await lookup.seedActiveSykmeldinger()
            let plan = try await Self.storePlan(LocalNavFixtures.ready, lookup.postgres)
            lookup.nav.inject(.status(503, times: 1), into: .pdfgen)
            _ = try await bed.producer.send(
                topic: EventTopics.local.received, key: Array(plan.uuid.lowercasedString.utf8), value: Array(plan.receivedEvent.jsonBody.utf8))
            try await bed.whileRunning(Self.service(lookup, bed: bed, group: "lookup-pdf-down")) {
                let nav = try await bed.take(1, from: EventTopics.local.navChannel)
                let gp = try await bed.take(1, from: EventTopics.local.gpChannel)
                #expect((nav + gp).map(\.keyText) == [plan.uuid.lowercasedString, plan.uuid.lowercasedString], "routed all the same")
            }
            #expect(lookup.nav.requests(to: .pdfgen).map(\.status) == [503], "tried once, not retried by the lookup")
            #expect(try await !Self.hasPDF(plan.uuid, lookup.postgres))
            #expect(
                try await PipelineDatabase.status(plan.uuid, lookup.postgres)
                    == .init(state: "IN_PROGRESS", errorType: nil, nav: "PENDING", gp: "PENDING", revision: 1))
        }
    }

    static func hasPDF(_ uuid: UUID, _ postgres: PostgresClient) async throws -> Bool {
        let rows = try await postgres.query("SELECT count(*)::int8 FROM plan_pdf WHERE plan_uuid = \(uuid)", logger: TestServices.logger)
        for try await count in rows.decode(Int.self) { return count == 1 }
        return false
    }

    @Test func aPlanThatCannotBeCheckedIsRetriedThenDeadLetteredAndFailed() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.received, EventTopics.local.verified, EventTopics.local.status])
        try await LookupTests.withLookup { lookup in
            try await lookup.seedActiveSykmeldinger()
            let plan = try await Self.storePlan(LocalNavFixtures.ready, lookup.postgres)
            lookup.nav.inject(.status(503), into: .aareg)
            _ = try await bed.producer.send(
                topic: EventTopics.local.received, key: Array(plan.uuid.lowercasedString.utf8), value: Array(plan.receivedEvent.jsonBody.utf8))
            try await bed.whileRunning(Self.service(lookup, bed: bed, group: "lookup-outage")) {
                let deadLetter = try await bed.deadLetters(1).first!
                #expect(deadLetter.header(DeadLetters.Header.attempts) == "3")
                #expect(deadLetter.header(DeadLetters.Header.reason)?.contains("aareg unavailable: status 503") == true)
                try await eventually("the plan FAILED") { try await PipelineDatabase.status(plan.uuid, lookup.postgres)?.state == "FAILED" }
                #expect(try await PipelineDatabase.status(plan.uuid, lookup.postgres)?.errorType == "INTERNAL_SERVER_ERROR")
            }
            #expect(lookup.nav.requests(to: .aareg).count == 3)
        }
    }

    /// NAV's dev test identities (unknown to the stand-ins, as to NAV's registers) pass the
    /// three checks only with the dev flag; without it they get the contract's verdict.
    @Test func theDevTestIdentitiesSkipTheChecksOnlyWithTheDevFlag() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.verified, EventTopics.local.status])
        try await LookupTests.withLookup { lookup in
            for identity in Lookup.devTestIdentities.sorted() {
                let withFlag = try await Self.storePlan(employee: identity, lookup.postgres)
                #expect(try await Self.handler(lookup, bed: bed, devIdentitiesSkipChecks: true).decide(withFlag.receivedEvent) == nil)
                let withoutFlag = try await Self.storePlan(employee: identity, lookup.postgres)
                #expect(
                    try await Self.handler(lookup, bed: bed, devIdentitiesSkipChecks: false).decide(withoutFlag.receivedEvent) == .noActiveEmployment)
            }
            #expect(lookup.nav.requests(to: .aareg).count == Lookup.devTestIdentities.count, "only the plans without the flag were checked")
        }
    }

    /// A verdict recorded by a version before #28 (which sent its status change to the status
    /// topic, and may have died before it did): the redelivery writes the change the record
    /// implies, without asking the registers again; a second one changes nothing.
    @Test func aVerdictRecordedWithoutItsStatusGetsItOnRedelivery() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.verified])
        try await LookupTests.withLookup { lookup in
            let plan = try await Self.storePlan(LocalNavFixtures.withoutEmployment, lookup.postgres)
            _ = try await ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger)
                .record(LookupHandler.step, for: plan.uuid, result: #"{"verdict":"REJECTED","type":"NO_ACTIVE_EMPLOYMENT"}"#)
            #expect(try await PipelineDatabase.status(plan.uuid, lookup.postgres)?.state == "RECEIVED")

            let handler = Self.handler(lookup, bed: bed)
            #expect(try await handler.decide(plan.receivedEvent) == .noActiveEmployment)
            #expect(
                try await PipelineDatabase.status(plan.uuid, lookup.postgres)
                    == .init(state: "REJECTED", errorType: "NO_ACTIVE_EMPLOYMENT", nav: "PENDING", gp: "PENDING", revision: 1))
            #expect(try await handler.decide(plan.receivedEvent) == .noActiveEmployment)
            #expect(try await PipelineDatabase.status(plan.uuid, lookup.postgres)?.revision == 1, "a replay changes nothing")
            #expect(lookup.nav.requests(to: .aareg).isEmpty, "the recorded verdict stands")
        }
    }

    static func handler(_ lookup: LookupTests.Fixture, bed: PipelineKafka, devIdentitiesSkipChecks: Bool = false) -> LookupHandler {
        LookupHandler(
            checks: lookup.checks, postgres: lookup.postgres,
            steps: ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger),
            statuses: StatusTransitions(postgres: lookup.postgres, topics: .local, logger: TestServices.logger), producer: bed.producer,
            topics: .local, pdfs: pdfBuilder(lookup),
            devIdentitiesSkipChecks: devIdentitiesSkipChecks, logger: TestServices.logger)
    }

    /// The PDF builder on the fixture's stand-ins.
    static func pdfBuilder(_ lookup: LookupTests.Fixture) -> PlanPdfBuilder {
        PlanPdfBuilder(
            plans: PlanPdfStore(postgres: lookup.postgres, logger: TestServices.logger),
            pdl: PdlClient(url: lookup.pdlURL, scope: "pdl", tokens: lookup.tokens),
            krr: KrrClient(url: EndpointURL { await lookup.nav.baseURL(.krr) }, scope: "krr", tokens: lookup.tokens),
            pdfgen: PdfGenClient(baseURL: EndpointURL { await lookup.nav.baseURL(.pdfgen) }, appName: "test"))
    }

    static func service(_ lookup: LookupTests.Fixture, bed: PipelineKafka, group: String) -> ConsumerRoleService {
        let handler = handler(lookup, bed: bed)
        return ConsumerRoleService(
            name: "lookup", consumerGroup: group, consumer: try! bed.consumer(group: group, topics: [EventTopics.local.received]),
            deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter),
            retryPolicy: RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(10)),
            logger: TestServices.logger,
            onDeadLetter: { message, reason in
                let transitions = StatusTransitions(postgres: lookup.postgres, topics: .local, logger: TestServices.logger)
                try await StatusStepReports.send(for: message, reason: reason) { try await transitions.applyOutcome($0) }
            },
            handler: handler.handle)
    }

    static func storePlan(_ person: LocalNavFixtures.Person, _ postgres: PostgresClient, needsHelpFromNav: Bool = false) async throws
        -> PlanSubmission
    {
        try await storePlan(employee: person.identificationNumber, postgres, needsHelpFromNav: needsHelpFromNav)
    }

    static func storePlan(employee: String, _ postgres: PostgresClient, needsHelpFromNav: Bool = false) async throws -> PlanSubmission {
        var plan = FollowUpPlanDTO(
            employeeIdentificationNumber: employee, typicalWorkday: "a", tasksThatCanStillBeDone: "b",
            tasksThatCanNotBeDone: "c", previousFacilitation: "d", plannedFacilitation: "e", followUp: "f",
            evaluationDate: CalendarDate(iso: "2027-01-15")!, sendPlanToNav: true, sendPlanToGeneralPractitioner: true,
            contactPersonFullName: "g", contactPersonPhoneNumber: "h", contactPersonEmail: "i", employeeHasContributedToPlan: true, lpsName: "j")
        if needsHelpFromNav {
            plan.needsHelpFromNav = true
            plan.needsHelpFromNavDescription = "Advice on a lifting aid"
        }
        let submission = PlanSubmission(
            plan: plan, employerOrgNumber: LocalNavFixtures.workplace, lpsOrgNumber: LocalNavFixtures.workplace, frontDoor: .http)
        _ = try await SubmissionStore(postgres: postgres, topics: .local, logger: TestServices.logger).store(
            submission, idempotency: nil, callID: nil)
        return submission
    }
}

extension PipelineKafka {
    /// Every message of `topic`: waits (up to 30 s) for `atLeast`, then `settle` longer for
    /// any more (to show that no more come).
    func everything(on topic: String, atLeast minimum: Int, settle: Duration = .seconds(2)) async throws -> [KafkaMessage] {
        let consumer = try consumer(group: "reader-\(UUID())", topics: [topic])
        defer { Task { await consumer.close() } }
        let taken = Taken()
        let reader = Task {
            for try await message in consumer.messages { await taken.append(message) }
        }
        // Fewer than `minimum` is the caller's to judge: it asserts on what was taken.
        try? await eventually("\(minimum) messages", timeout: .seconds(30)) { await taken.messages.count >= minimum }
        try await Task.sleep(for: settle)
        reader.cancel()
        _ = await reader.result
        return await taken.messages
    }

    /// The first `count` messages of `topic`, from its start.
    func take(_ count: Int, from topic: String, within timeout: Duration = .seconds(30)) async throws -> [KafkaMessage] {
        let consumer = try consumer(group: "reader-\(UUID())", topics: [topic])
        defer { Task { await consumer.close() } }
        return try await withThrowingTaskGroup(of: [KafkaMessage].self) { group in
            group.addTask {
                var taken: [KafkaMessage] = []
                for try await message in consumer.messages {
                    taken.append(message)
                    if taken.count == count { break }
                }
                return taken
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw MissingTestService(description: "fewer than \(count) messages on \(topic) within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}

actor Taken {
    private(set) var messages: [KafkaMessage] = []
    func append(_ message: KafkaMessage) { messages.append(message) }
}
