import Domain
import EventProcessing
import Foundation
import Kafka
import KafkaMock
import LocalStandIns
import NavChannel
import NavClients
import PlanPdf
import PlanStatusRecords
import PostgresNIO
import Prometheus
import Storage
import Synchronization
import TestSupport
import Testing

@testable import GpChannel

/// At-least-once means a channel may get the same message twice: NAV and the GP must still get
/// the plan once.
@Suite(.timeLimit(.minutes(5))) struct ChannelRedeliveryTests {
    @Test func aMessageDeliveredTwiceJournalsOnceMessagesTheGpOnceAndTasksModiaOnce() async throws {
        let bed = try PipelineKafka(topics: [
            EventTopics.local.navChannel, EventTopics.local.gpChannel, EventTopics.local.modiaTask,
        ])
        try await LookupTests.withLookup { lookup in
            let plan = try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres, needsHelpFromNav: true)
            let key = Array(plan.uuid.lowercasedString.utf8)
            for topic in [EventTopics.local.navChannel, EventTopics.local.gpChannel] {
                for _ in 0..<2 { _ = try await bed.producer.send(topic: topic, key: key, value: Array(plan.receivedEvent.jsonBody.utf8)) }
            }
            let plans = PlanPdfStore(postgres: lookup.postgres, logger: TestServices.logger)
            let steps = ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger)
            let pdfs = LookupRoleTests.pdfBuilder(lookup)
            let statuses = StatusTransitions(postgres: lookup.postgres, topics: .local, logger: TestServices.logger)
            let nav = NavChannelHandler(
                plans: plans, steps: steps, statuses: statuses, pdfs: pdfs,
                ereg: EregClient(baseURL: EndpointURL { await lookup.nav.baseURL(.ereg) }, scope: "ereg", appName: "test", tokens: lookup.tokens),
                dokarkiv: DokarkivClient(baseURL: EndpointURL { await lookup.nav.baseURL(.dokarkiv) }, scope: "dokarkiv", tokens: lookup.tokens),
                producer: bed.producer, topics: .local, logger: TestServices.logger)
            let gp = GpChannelHandler(
                plans: plans, steps: steps, statuses: statuses, pdfs: pdfs,
                isdialogmelding: IsdialogmeldingClient(
                    baseURL: EndpointURL { await lookup.nav.baseURL(.isdialogmelding) }, scope: "isdialogmelding", tokens: lookup.tokens),
                logger: TestServices.logger)
            let services = [
                ConsumerRoleService(
                    name: "nav", consumerGroup: "nav-twice", consumer: try bed.consumer(group: "nav-twice", topics: [EventTopics.local.navChannel]),
                    deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter), logger: TestServices.logger,
                    handler: nav.handle),
                ConsumerRoleService(
                    name: "gp", consumerGroup: "gp-twice", consumer: try bed.consumer(group: "gp-twice", topics: [EventTopics.local.gpChannel]),
                    deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter), logger: TestServices.logger,
                    handler: gp.handle),
            ]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try await service.run() } }
                defer { group.cancelAll() }
                try await eventually("both channels SENT") { try await PipelineDatabase.status(plan.uuid, lookup.postgres)?.state == "COMPLETED" }
                try await Task.sleep(for: .seconds(1))  // the second deliveries, done by now, change nothing
            }
            #expect(
                try await PipelineDatabase.status(plan.uuid, lookup.postgres)
                    == .init(state: "COMPLETED", errorType: nil, nav: "SENT", gp: "SENT", revision: 2), "one change per channel")
            let journalposts = try await lookup.postgres.query(
                "SELECT nav_journalpost_id FROM plan_status WHERE plan_uuid = \(plan.uuid)", logger: TestServices.logger)
            for try await journalpost in journalposts.decode(String?.self) { #expect(journalpost != nil, "the journal post is on the status") }
            #expect(lookup.nav.requests(to: .dokarkiv).count == 1)
            #expect(lookup.nav.requests(to: .isdialogmelding).count == 1)
            #expect(lookup.nav.requests(to: .pdfgen).count == 1)
            let modia = try await bed.everything(on: EventTopics.local.modiaTask, atLeast: 1)
            #expect(modia.map(\.keyText) == [plan.uuid.lowercasedString], "one Modia task")
        }
    }

    /// isdialogmelding has no idempotency key. A refused call (5xx) is retried silently: the GP
    /// did not get the plan. An attempt that ended without a known answer (here: the note a
    /// killed process left behind) is sent again and counted as a possible duplicate.
    @Test func aGpAttemptWithoutAKnownAnswerIsSentAgainAndCountedARefusedOneIsNot() async throws {
        try await LookupTests.withLookup { lookup in
            let registry = PrometheusCollectorRegistry()
            let (gp, plans) = Self.gpChannel(lookup, registry: registry)
            let steps = ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger)
            let possibleDuplicates = { registry.emitToString().contains("mottak_gp_possible_duplicates_total 1") }

            let refused = try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres)
            lookup.nav.inject(.status(503, times: 1), into: .isdialogmelding)
            await #expect(throws: DependencyUnavailable.self) { try await gp.deliver(refused.uuid) }
            #expect(try await gp.deliver(refused.uuid) == .sent)
            #expect(lookup.nav.requests(to: .isdialogmelding).map(\.status) == [503, 200])
            #expect(!possibleDuplicates(), "a refusal is no possible duplicate")

            let interrupted = try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres)
            _ = try await steps.record(GpChannelHandler.sendingNote, for: interrupted.uuid, result: #"{"attempt":"killed-process"}"#)
            #expect(try await gp.deliver(interrupted.uuid) == .sent)
            #expect(lookup.nav.requests(to: .isdialogmelding).count == 3, "sent again rather than lost")
            #expect(possibleDuplicates())
            #expect(try await gp.deliver(interrupted.uuid) == .sent, "recorded now: nothing more is sent")
            #expect(lookup.nav.requests(to: .isdialogmelding).count == 3)

            // A fresh note is another member's call that may still be in flight (its lease
            // overran a rebalance): this attempt waits for it and sends nothing; once the note
            // is older than the lease, it is taken over and sent, flagged.
            let inFlight = try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres)
            let now = Date().timeIntervalSince1970
            _ = try await steps.record(GpChannelHandler.sendingNote, for: inFlight.uuid, result: #"{"attempt":"other-member","at":\#(now)}"#)
            await #expect(throws: GpChannelHandler.SendInFlight.self) { try await gp.deliver(inFlight.uuid) }
            #expect(lookup.nav.requests(to: .isdialogmelding).count == 3, "nothing sent beside a call in flight")
            try await steps.forget(GpChannelHandler.sendingNote, for: inFlight.uuid)
            _ = try await steps.record(
                GpChannelHandler.sendingNote, for: inFlight.uuid, result: #"{"attempt":"other-member","at":\#(now - 91)}"#)
            #expect(try await gp.deliver(inFlight.uuid) == .sent)
            #expect(lookup.nav.requests(to: .isdialogmelding).count == 4)
            #expect(registry.emitToString().contains("mottak_gp_possible_duplicates_total 2"))

            // With its PDF stored (the lookup built it), the read writes the attempt's note in
            // its own statement: a refusal still forgets it (no possible duplicate after), and a
            // read whose attempt died before its call leaves a note that counts as a call in flight.
            let built = try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres)
            let withoutPDF = try #require(try await gp.readNotingAttempt(built.uuid, note: try GpChannelHandler.Note.mine().text()))
            #expect(!withoutPDF.noted, "no note before the PDF is there: a build that fails must leave none")
            #expect(try await steps.result(of: GpChannelHandler.sendingNote, for: built.uuid) == nil)
            _ = try await plans.storePDF(Array("%PDF-1.4 built".utf8), for: built.uuid)
            lookup.nav.inject(.status(503, times: 1), into: .isdialogmelding)
            await #expect(throws: DependencyUnavailable.self) { try await gp.deliver(built.uuid) }
            #expect(try await steps.result(of: GpChannelHandler.sendingNote, for: built.uuid) == nil, "the refusal forgot the note")
            let died = try #require(try await gp.readNotingAttempt(built.uuid, note: try GpChannelHandler.Note.mine().text()))
            #expect(died.noted && died.plan.pdf != nil)
            await #expect(throws: GpChannelHandler.SendInFlight.self) { try await gp.deliver(built.uuid) }
            try await steps.forget(GpChannelHandler.sendingNote, for: built.uuid)
            #expect(try await gp.deliver(built.uuid) == .sent)
            #expect(try await steps.result(of: GpChannelHandler.sendingNote, for: built.uuid) != nil, "noted by the read")
            #expect(lookup.nav.requests(to: .isdialogmelding).map(\.status).suffix(2) == [503, 200])
            #expect(registry.emitToString().contains("mottak_gp_possible_duplicates_total 2"), "no possible duplicate more")
            #expect(try await gp.deliver(built.uuid) == .sent, "recorded: nothing more is sent")
            #expect(lookup.nav.requests(to: .isdialogmelding).count == 6)
            let noteWithOutcome = try #require(try await gp.readNotingAttempt(built.uuid, note: try GpChannelHandler.Note.mine().text()))
            #expect(!noteWithOutcome.noted, "no note once the outcome is recorded")
        }
    }

    /// An attempt that never reached isdialogmelding (its circuit open after an outage) leaves no
    /// note behind: the retry that sends is no possible duplicate.
    @Test func anAttemptRefusedByAnOpenCircuitIsNoPossibleDuplicate() async throws {
        try await LookupTests.withLookup { lookup in
            let registry = PrometheusCollectorRegistry()
            var settings = DependencyCircuits.Settings()
            settings.failureThreshold = 1
            settings.openFor = .seconds(5)
            // The circuit's clock moves only when the test says (a busy machine must not let the
            // probe through early).
            let clock = SteppedClock()
            let (gp, plans) = Self.gpChannel(
                lookup, registry: registry, circuits: DependencyCircuits(settings: settings, now: { clock.now }))
            let steps = ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger)
            let (opens, refused) = (
                try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres),
                try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres)
            )
            for plan in [opens, refused] { _ = try await plans.storePDF(Array("%PDF-1.4".utf8), for: plan.uuid) }
            lookup.nav.inject(.status(503, times: 1), into: .isdialogmelding)
            await #expect(throws: DependencyUnavailable.self) { try await gp.deliver(opens.uuid) }  // opens the circuit
            let refusal = await #expect(throws: DependencyUnavailable.self) { try await gp.deliver(refused.uuid) }
            #expect(refusal?.isCircuitOpen == true)
            #expect(lookup.nav.requests(to: .isdialogmelding).count == 1, "the open circuit called nothing")
            #expect(try await steps.result(of: GpChannelHandler.sendingNote, for: refused.uuid) == nil, "no note left behind")
            clock.advance(by: .seconds(6))  // the circuit lets a probe through
            #expect(try await gp.deliver(refused.uuid) == .sent)
            #expect(try await gp.deliver(opens.uuid) == .sent)
            let flagged = registry.emitToString().split(separator: "\n").filter { $0.hasPrefix("mottak_gp_possible_duplicates_total") }
            #expect(flagged.allSatisfy { $0.hasSuffix(" 0") }, "no possible duplicate: \(flagged)")
        }
    }

    /// A GP channel on the lookup fixture's stand-ins, its metrics in `registry`.
    static func gpChannel(
        _ lookup: LookupTests.Fixture, registry: PrometheusCollectorRegistry, circuits: DependencyCircuits = .none
    ) -> (GpChannelHandler, PlanPdfStore) {
        let plans = PlanPdfStore(postgres: lookup.postgres, logger: TestServices.logger)
        let gp = GpChannelHandler(
            plans: plans, steps: ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger),
            statuses: StatusTransitions(postgres: lookup.postgres, topics: .local, logger: TestServices.logger),
            pdfs: LookupRoleTests.pdfBuilder(lookup),
            isdialogmelding: IsdialogmeldingClient(
                baseURL: EndpointURL { await lookup.nav.baseURL(.isdialogmelding) }, scope: "isdialogmelding", tokens: lookup.tokens,
                circuits: circuits),
            metricsFactory: PrometheusMetricsFactory(registry: registry), logger: TestServices.logger)
        return (gp, plans)
    }
}

/// A clock for a circuit: starts now and moves only by ``advance(by:)``.
final class SteppedClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex<Duration>(.zero)

    var now: ContinuousClock.Instant { start + offset.withLock { $0 } }

    func advance(by duration: Duration) { offset.withLock { $0 += duration } }
}
