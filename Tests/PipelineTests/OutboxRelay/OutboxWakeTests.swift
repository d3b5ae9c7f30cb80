import Domain
import Foundation
import Kafka
import KafkaMock
import PlanStatusRecords
import PostgresNIO
import Prometheus
import Storage
import Submissions
import TestSupport
import Testing

@testable import OutboxRelay

/// A relay beside every role polls seldom and is nudged by the outbox's writers: each stored
/// plan, each public status event (#28: the idle relay's 50 ms poll was ~20 transactions a
/// second per replica).
@Suite(.timeLimit(.minutes(5))) struct OutboxWakeTests {
    /// Polling once a minute, the relay leaves a row nobody told it of, and sends a nudged one
    /// at once.
    @Test func aRelayThatPollsSeldomSendsANudgedRowAtOnce() async throws {
        let cluster = try KafkaTestBed(topics: [TopicSpec(name: OutboxRelayTests.topic, partitions: 1)]).cluster
        try await TestServices.withMigratedDatabase { postgres in
            let wake = OutboxWake()
            let relay = try OutboxRelayTests.relay(postgres, cluster: cluster, registry: PrometheusCollectorRegistry(), batchSize: 100) {
                $0.idleInterval = .seconds(60)
                $0.wake = wake
            }
            try await OutboxRelayTests.insertOutboxRows(1, into: postgres)
            try await OutboxRelayTests.whileRunning([relay]) {
                try await OutboxRelayTests.waitUntilBacklog(is: 0, postgres)  // the first poll, at start
                // Past the look the relay takes a tick after a batch that sent rows.
                try await Task.sleep(for: .seconds(2))
                try await OutboxRelayTests.insertOutboxRows(1, into: postgres)
                try await Task.sleep(for: .milliseconds(1500))
                #expect(try await OutboxRelayTests.scalar("SELECT count(*)::int8 FROM outbox WHERE published_at IS NULL", postgres) == 1)
                wake.nudge()
                // Within a minute's poll only if the nudge works; seconds allow for a busy machine.
                try await OutboxRelayTests.waitUntilBacklog(is: 0, postgres, timeout: .seconds(20))
            }
            #expect(try await OutboxRelayTests.consumeNumbers(2, from: cluster).count == 2)
        }
        withExtendedLifetime(cluster) {}
    }

    /// The intake's store nudges the process's relay once the plan is committed.
    @Test func storingAPlanNudges() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let wake = OutboxWake()
            let store = SubmissionStore(postgres: postgres, topics: .local, wake: wake, logger: TestServices.logger)
            #expect(!wake.take())
            let submission = PlanSubmission(plan: Self.plan, employerOrgNumber: "123456789", lpsOrgNumber: "123456789", frontDoor: .http)
            _ = try await store.store(submission, idempotency: nil, callID: nil)
            #expect(wake.take(), "nudged")
            #expect(!wake.take(), "once")
        }
    }

    /// A status change of a plan from the event front door writes its public status event, and
    /// nudges, whether a role records it with its step or the status updater applies it; a plan
    /// from the HTTP front door has none to send, and does not.
    @Test func aPublicStatusEventNudges() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let store = SubmissionStore(postgres: postgres, topics: .local, wake: OutboxWake(), logger: TestServices.logger)
            let wake = OutboxWake()
            let transitions = StatusTransitions(postgres: postgres, topics: .local, wake: wake, logger: TestServices.logger)
            for frontDoor in [PlanSubmission.FrontDoor.http, .event] {
                let (recorded, applied) = (
                    PlanSubmission(plan: Self.plan, employerOrgNumber: "123456789", lpsOrgNumber: "123456789", frontDoor: frontDoor),
                    PlanSubmission(plan: Self.plan, employerOrgNumber: "123456789", lpsOrgNumber: "123456789", frontDoor: frontDoor)
                )
                for submission in [recorded, applied] { _ = try await store.store(submission, idempotency: nil, callID: nil) }

                let step = transitions.recording("lookup", for: recorded.uuid, frontDoor: frontDoor) { _ in
                    StatusStepEvent(uuid: recorded.uuid, kind: .verified)
                }
                _ = try await step.record("{}")
                #expect(wake.take() == (frontDoor == .event), "recorded with the step, \(frontDoor)")

                #expect(try await transitions.applyChange(StatusStepEvent(uuid: applied.uuid, kind: .verified)) != nil)
                #expect(wake.take() == (frontDoor == .event), "applied, \(frontDoor)")
            }
        }
    }

    static let plan = FollowUpPlanDTO(
        employeeIdentificationNumber: "01019012345", typicalWorkday: "a", tasksThatCanStillBeDone: "b", tasksThatCanNotBeDone: "c",
        previousFacilitation: "d", plannedFacilitation: "e", followUp: "f", evaluationDate: CalendarDate(iso: "2027-01-15")!,
        sendPlanToNav: true, sendPlanToGeneralPractitioner: false, contactPersonFullName: "g", contactPersonPhoneNumber: "h",
        contactPersonEmail: "i", employeeHasContributedToPlan: true, lpsName: "j")
}

/// When the relay looks next (``RelaySchedule``), without waiting for it.
@Suite(.timeLimit(.minutes(1))) struct RelayScheduleTests {
    static let now = ContinuousClock.now
    static var settings: OutboxRelayService.Settings {
        var settings = OutboxRelayService.Settings()
        settings.idleInterval = .seconds(1)
        settings.wake = OutboxWake()
        return settings
    }

    @Test func anEmptyOutboxIsLookedAtAgainAfterTheIdleIntervalUnlessANudgeComes() {
        var schedule = RelaySchedule(Self.settings, now: Self.now)
        #expect(schedule.nextPoll == Self.now, "the first look at once")
        schedule.polled(.sent(0), now: Self.now)
        #expect(schedule.nextPoll == Self.now + .seconds(1))
        schedule.nudged(now: Self.now + .milliseconds(300))
        #expect(schedule.nextPoll == Self.now + .milliseconds(300))
    }

    @Test func rowsSentBringAnotherLookATickLaterOrAtOnceAfterAFullBatch() {
        var schedule = RelaySchedule(Self.settings, now: Self.now)
        schedule.polled(.sent(3), now: Self.now)
        #expect(schedule.nextPoll == Self.now + .milliseconds(50))
        schedule.polled(.sent(500), now: Self.now)
        #expect(schedule.nextPoll == Self.now)
    }

    /// Another relay's batch may have begun before the nudged rows were committed: while they
    /// are owed, a standby looks again a tick later, not after the standby interval.
    @Test func aStandbyLooksAgainSoonOnlyWhileANudgeIsOwed() {
        var schedule = RelaySchedule(Self.settings, now: Self.now)
        schedule.polled(.standby, now: Self.now)
        #expect(schedule.nextPoll == Self.now + .milliseconds(500))
        schedule.nudged(now: Self.now)
        schedule.polled(.standby, now: Self.now)
        #expect(schedule.nextPoll == Self.now + .milliseconds(50))
        schedule.polled(.sent(1), now: Self.now)
        schedule.polled(.standby, now: Self.now)
        #expect(schedule.nextPoll == Self.now + .milliseconds(500), "answered by the poll that sent")
    }

    /// Kafka down: the relay backs off, doubling, and a nudge does not cut the back-off short.
    @Test func aFailureBacksOffAndNudgesWait() {
        var schedule = RelaySchedule(Self.settings, now: Self.now)
        schedule.polled(.failed, now: Self.now)
        #expect(schedule.nextPoll == Self.now + .milliseconds(500))
        schedule.nudged(now: Self.now)
        #expect(schedule.nextPoll == Self.now + .milliseconds(500))
        schedule.polled(.failed, now: Self.now)
        #expect(schedule.nextPoll == Self.now + .seconds(1))
        schedule.polled(.sent(0), now: Self.now)
        schedule.polled(.failed, now: Self.now)
        #expect(schedule.nextPoll == Self.now + .milliseconds(500), "back-off starts over after a success")
    }
}
