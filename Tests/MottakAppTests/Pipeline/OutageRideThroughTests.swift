import Domain
import EventProcessing
import Foundation
import HTTPTypes
import HummingbirdTesting
import Kafka
import KafkaMock
import LocalStandIns
import NavClients
import PostgresNIO
import Storage
import TestSupport
import Testing

@testable import MottakApp

/// NAV's archive down for a while (time compressed by settings: the outage lasts until every
/// plan waits, plus 15 s, against a horizon of 2 minutes where production waits up to a day):
/// the plans wait, parked, with a non-final status; only the circuit's probes reach dokarkiv
/// while it is open; when it is back every plan is delivered by itself, once.
@Suite(.timeLimit(.minutes(5)), .serialized) struct OutageRideThroughTests {
    static let openWindow: Duration = .seconds(15)

    @Test func plansWaitOutADokarkivOutageAndAreDeliveredOnceWhenItIsBack() async throws {
        try await PipelineFlowTests.withPipeline(configure: Self.rideThrough) { pipeline in
            pipeline.nav.inject(.status(503), into: .dokarkiv)
            let outageBegan = ContinuousClock.now
            var plans: [UUID] = []
            for _ in 0..<12 { plans.append(try await Self.submit(pipeline)) }

            // Every plan's NAV delivery waits, parked; from then on only probes reach dokarkiv.
            try await eventually("every plan parked", timeout: .seconds(90)) {
                try await Self.count("SELECT count(*)::int8 FROM parked_message WHERE consumer_group LIKE '%nav-channel'", pipeline.postgres)
                    == plans.count
            }
            let callsWhenParked = pipeline.nav.requests(to: .dokarkiv).count
            #expect(callsWhenParked <= plans.count * 2 + 10, "quick attempts until the circuit opened, then probes")
            try await Task.sleep(for: Self.openWindow)
            let probes = pipeline.nav.requests(to: .dokarkiv).count - callsWhenParked
            // At most one probe a second here (0.5 s doubling to 2 s); without the circuit, 12
            // plans due every 0.25–2 s would have made about a hundred calls.
            #expect(probes >= 1 && probes <= 16, "\(probes) calls reached dokarkiv in \(Self.openWindow) of open circuit")

            // Nothing was given up during the outage: no plan is final, none FAILED.
            for plan in plans {
                let state = try await PipelineFlowTests.state(of: plan, pipeline.postgres)
                #expect(state == "IN_PROGRESS", "plan \(plan) is \(state ?? "-") while dokarkiv is down")
            }
            #expect(try await Self.count("SELECT count(*)::int8 FROM plan_status WHERE nav_state = 'FAILED'", pipeline.postgres) == 0)
            // What the employer reads meanwhile: under way, not sent to NAV yet, and waiting for
            // NAV's systems with nothing to do (the catalogue's notice, since the wait began).
            try await eventually("the status says the plan waits", timeout: .seconds(30)) {
                try await Self.status(of: plans[0], pipeline).notice != nil
            }
            let waiting = try await Self.status(of: plans[0], pipeline)
            #expect(waiting.state == "IN_PROGRESS" && waiting.isSentToNavStatus == false)
            #expect(waiting.notice?.type == "WAITING_FOR_NAV_SYSTEMS")
            #expect(waiting.notice?.message.contains("No action is needed") == true)
            #expect(waiting.channels.nav.state == "PENDING" && waiting.channels.nav.waitingSince != nil)

            // dokarkiv is back: every plan completes by itself, soon.
            pipeline.nav.clearFailures()
            let outage = ContinuousClock.now - outageBegan
            let recovered = ContinuousClock.now
            for plan in plans { try await PipelineFlowTests.waitForState(of: plan, "COMPLETED", pipeline.postgres, timeout: .seconds(60)) }
            let catchUp = ContinuousClock.now - recovered
            let journalposts = try await PipelineFlowTests.journalposts(pipeline.postgres)
            #expect(plans.allSatisfy { journalposts[$0] != nil }, "every plan reached NAV")
            #expect(Set(plans.compactMap { journalposts[$0] }).count == plans.count, "one journal post per plan")
            // A parked message's row goes right after its run, which wrote the plan's status itself.
            try await eventually("every parked message removed", timeout: .seconds(15)) {
                try await Self.count("SELECT count(*)::int8 FROM parked_message", pipeline.postgres) == 0
            }
            let delivered = try await Self.status(of: plans[0], pipeline)
            #expect(delivered.isSentToNavStatus && delivered.notice == nil && delivered.channels.nav.waitingSince == nil)
            let metrics = try await PipelineFlowTests.metrics(pipeline.client)
            #expect(metrics.sum("mottak_dead_letters_total", []) == 0)
            #expect(metrics.sum("mottak_dependency_calls_refused_total", [#"dependency="dokarkiv""#]) > 0)
            print(
                "OUTAGE FIGURES: \(plans.count) plans, dokarkiv down \(outage): \(callsWhenParked) calls until all were parked, "
                    + "\(probes) probes in \(Self.openWindow) of open circuit; all COMPLETED \(catchUp) after recovery")
        }
    }

    /// The horizon spent: the plan's NAV channel FAILED and the message dead-lettered, no sooner.
    @Test func aPlanWhoseArchiveStaysDownPastTheHorizonFailsThen() async throws {
        try await PipelineFlowTests.withPipeline(configure: Self.shortHorizon) { pipeline in
            pipeline.nav.inject(.status(503), into: .dokarkiv)
            let began = ContinuousClock.now
            let plan = try await Self.submit(pipeline)
            try await eventually("the NAV channel FAILED", timeout: .seconds(60)) {
                try await PipelineFlowTests.channelStates(pipeline.postgres)[plan]?.nav == "FAILED"
            }
            #expect(ContinuousClock.now - began >= .seconds(4), "not before the horizon")
            // The dead letter's FAILED is written (straight to the status row) before the parked
            // row is removed: the removal follows within moments.
            try await eventually("the parked message removed", timeout: .seconds(15)) {
                try await Self.count("SELECT count(*)::int8 FROM parked_message", pipeline.postgres) == 0
            }
            let metrics = try await PipelineFlowTests.metrics(pipeline.client)
            #expect(metrics.sum("mottak_dead_letters_total", [#"reason="retries_exhausted""#]) >= 1)
        }
    }

    /// Submits as an LPS does: a 503 (no database connection within the intake's wait, on a
    /// machine running a dozen pipelines beside this one) is sent again, a few times.
    static func submit(_ pipeline: PipelineFlowTests.Pipeline) async throws -> UUID {
        for _ in 0..<5 {
            let response = try await pipeline.submitWaiting(LocalNavFixtures.ready, waiting: false)
            if response.status == .serviceUnavailable {
                try await Task.sleep(for: .seconds(1))
                continue
            }
            #expect(response.status == .accepted)
            return UUID(uuidString: try SubmitAnswer(response).uuid)!
        }
        throw MissingTestService(description: "the intake answered 503 five times in a row")
    }

    /// The parts of the status resource these tests read.
    struct Status: Decodable {
        struct Notice: Decodable {
            let type: String
            let message: String
            let since: String
        }
        struct Channel: Decodable {
            let state: String
            let waitingSince: String?
        }
        struct Channels: Decodable { let nav: Channel }
        let state: String
        let isSentToNavStatus: Bool
        let notice: Notice?
        let channels: Channels
    }

    static func status(of plan: UUID, _ pipeline: PipelineFlowTests.Pipeline) async throws -> Status {
        let response = try await pipeline.client.execute(
            uri: PlanStatusRecord.resourcePath(of: plan), method: .get, headers: [.authorization: "Bearer \(pipeline.token)"], body: nil)
        #expect(response.status == .ok)
        return try JSONDecoder().decode(Status.self, from: Data(response.body.readableBytesView))
    }

    /// Quick attempts, then the durable wait in a compressed time.
    static func rideThrough(_ configuration: inout AppConfiguration) {
        // Every role in one process shares one pool, sized as in production (10), not the 4 of a
        // test's own client: the parked-message runners add to the roles' queries.
        configuration.database?.maximumConnections = 10
        configuration.retryPolicy = RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50))
        configuration.parkingPolicy = ParkingPolicy(horizon: .seconds(120), initialDelay: .milliseconds(500), maximumDelay: .seconds(2))
        var circuits = DependencyCircuits.Settings()
        circuits.failureThreshold = 3
        circuits.openFor = .milliseconds(500)
        circuits.maximumOpenFor = .seconds(2)
        configuration.circuitSettings = circuits
    }

    /// A horizon of 4 s: the outage outlasts it.
    static func shortHorizon(_ configuration: inout AppConfiguration) {
        rideThrough(&configuration)
        configuration.parkingPolicy = ParkingPolicy(horizon: .seconds(4), initialDelay: .milliseconds(300), maximumDelay: .seconds(1))
    }

    static func count(_ sql: String, _ postgres: PostgresClient) async throws -> Int {
        for try await value in try await postgres.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self) { return value }
        return -1
    }
}
