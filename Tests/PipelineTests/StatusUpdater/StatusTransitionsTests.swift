import Domain
import Foundation
import PostgresNIO
import Storage
import Submissions
import TestSupport
import Testing

@testable import PlanStatusRecords
@testable import StatusUpdater

/// The status model's transitions, against real PostgreSQL: forward only, replays change nothing.
@Suite(.timeLimit(.minutes(5))) struct StatusTransitionsTests {
    struct Row: Equatable {
        var state: String
        var nav: String
        var gp: String
        var errorType: String?
        var navJournalpost: String?
        var gpErrorType: String?
        var navAttempts: Int
        var revision: Int
    }

    @Test func aPlanForBothChannelsCompletesWhenBothAreSentAndReplaysChangeNothing() async throws {
        try await Self.withPlan(nav: true, gp: true) { (store, uuid, read, _) async throws in
            #expect(try await store.apply(.init(uuid: uuid, kind: .verified)))
            #expect(try await !store.apply(.init(uuid: uuid, kind: .verified)), "a replay")
            #expect(try await read().state == "IN_PROGRESS")
            #expect(try await store.apply(.init(uuid: uuid, kind: .channelRetrying, channel: .nav)))
            #expect(try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "4711")))
            #expect(try await read() == Row(state: "IN_PROGRESS", nav: "SENT", gp: "PENDING", navJournalpost: "4711", navAttempts: 2, revision: 3))
            #expect(try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .generalPractitioner)))
            #expect(try await !store.apply(.init(uuid: uuid, kind: .channelSent, channel: .generalPractitioner)), "a replay")
            #expect(try await !store.apply(.init(uuid: uuid, kind: .failed, error: .init(ApiError.internalServerError(callID: "x")))))
            #expect(try await read() == Row(state: "COMPLETED", nav: "SENT", gp: "SENT", navJournalpost: "4711", navAttempts: 2, revision: 4))
        }
    }

    /// A step that waits for a NAV API shows a notice until that step moves on; the lookup's
    /// wait ends with the verification, a channel's with its own news; a replay changes nothing.
    @Test func aWaitingStepShowsTheNoticeUntilItMovesOn() async throws {
        try await Self.withPlan(nav: true, gp: true) { (store, uuid, _, _) async throws in
            #expect(try await store.apply(.init(uuid: uuid, kind: .waiting)))
            #expect(try await !store.apply(.init(uuid: uuid, kind: .waiting)), "a second parked message of the same wait")
            let lookupWaits = try #require(try await store.read(uuid))
            #expect(lookupWaits.state == .received && lookupWaits.notice?.type == PlanNotice.waitingForNavType)
            #expect(lookupWaits.notice?.since == lookupWaits.waitingSince)

            try await store.apply(.init(uuid: uuid, kind: .verified))
            #expect(try await store.read(uuid)?.notice == nil, "the lookup's wait is over")
            #expect(try await store.apply(.init(uuid: uuid, kind: .waiting, channel: .nav)))
            try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .generalPractitioner))
            let navWaits = try #require(try await store.read(uuid))
            #expect(navWaits.state == .inProgress && navWaits.nav.waitingSince != nil && navWaits.generalPractitioner.waitingSince == nil)
            #expect(navWaits.notice?.message == PlanNotice.waitingForNavMessage)

            try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "1"))
            let done = try #require(try await store.read(uuid))
            #expect(done.state == .completed && done.notice == nil && done.nav.waitingSince == nil)
            #expect(try await !store.apply(.init(uuid: uuid, kind: .waiting, channel: .nav)), "a late wait after the delivery")
        }
    }

    @Test func aRejectedPlanNeverMovesOn() async throws {
        try await Self.withPlan(nav: true, gp: false) { (store, uuid, read, _) async throws in
            #expect(try await store.apply(.init(uuid: uuid, kind: .rejected, error: .init(ApiError.noActiveEmployment))))
            #expect(try await !store.apply(.init(uuid: uuid, kind: .verified)))
            #expect(try await !store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "1")))
            #expect(
                try await read()
                    == Row(state: "REJECTED", nav: "PENDING", gp: "NOT_REQUESTED", errorType: "NO_ACTIVE_EMPLOYMENT", navAttempts: 0, revision: 1))
        }
    }

    @Test func theGpAloneFailingFailsThePlanButNotWhenNavGotIt() async throws {
        let notFound = StatusStepEvent.Problem(ApiError.generalPractitionerNotFound)
        try await Self.withPlan(nav: false, gp: true) { (store, uuid, read, _) async throws in
            try await store.apply(.init(uuid: uuid, kind: .verified))
            #expect(try await store.apply(.init(uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: notFound)))
            let row = try await read()
            #expect(row.state == "FAILED" && row.errorType == "GENERAL_PRACTITIONER_NOT_FOUND" && row.gpErrorType == "GENERAL_PRACTITIONER_NOT_FOUND")
        }
        try await Self.withPlan(nav: true, gp: true) { (store, uuid, read, _) async throws in
            try await store.apply(.init(uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: notFound))
            try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "9"))
            let row = try await read()
            #expect(row.state == "COMPLETED" && row.errorType == nil && row.gp == "FAILED" && row.gpErrorType == "GENERAL_PRACTITIONER_NOT_FOUND")
        }
    }

    @Test func aPlanForNoChannelCompletesOnVerificationAndAFailureFailsPendingChannels() async throws {
        try await Self.withPlan(nav: false, gp: false) { (store, uuid, read, _) async throws in
            try await store.apply(.init(uuid: uuid, kind: .verified))
            #expect(try await read().state == "COMPLETED")
        }
        try await Self.withPlan(nav: true, gp: false) { (store, uuid, read, _) async throws in
            try await store.apply(.init(uuid: uuid, kind: .verified))
            try await store.apply(.init(uuid: uuid, kind: .failed, error: .init(type: .internalServerError, message: "gave up")))
            let row = try await read()
            #expect(row.state == "FAILED" && row.nav == "FAILED" && row.gp == "NOT_REQUESTED" && row.errorType == "INTERNAL_SERVER_ERROR")
        }
    }

    @Test func aReDriveReopensWhatFailedForATransientReasonOnly() async throws {
        let gaveUp = StatusStepEvent.Problem(type: .internalServerError, message: "gave up")
        try await Self.withPlan(nav: true, gp: true) { (store, uuid, read, _) async throws in
            try await store.apply(.init(uuid: uuid, kind: .verified))
            try await store.apply(
                .init(uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(ApiError.generalPractitionerNotFound)))
            try await store.apply(.init(uuid: uuid, kind: .channelFailed, channel: .nav, error: gaveUp))
            #expect(try await read().state == "FAILED")
            #expect(try await !store.apply(.init(uuid: uuid, kind: .reopened, channel: .generalPractitioner)), "GP not found is final")
            #expect(try await store.apply(.init(uuid: uuid, kind: .reopened, channel: .nav)))
            let reopened = try await read()
            #expect(reopened.state == "IN_PROGRESS" && reopened.nav == "PENDING" && reopened.gp == "FAILED" && reopened.errorType == nil)
            try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "7"))
            #expect(try await read().state == "COMPLETED")
        }
        try await Self.withPlan(nav: true, gp: false) { (store, uuid, read, _) async throws in
            try await store.apply(.init(uuid: uuid, kind: .failed, error: gaveUp))
            #expect(try await store.apply(.init(uuid: uuid, kind: .reopened)))
            #expect(try await read() == Row(state: "RECEIVED", nav: "PENDING", gp: "NOT_REQUESTED", navAttempts: 0, revision: 2))
            #expect(try await !store.apply(.init(uuid: uuid, kind: .reopened)), "a replay")
        }
    }

    /// Only a request waiting for its plan's outcome listens, for a final state: the change to
    /// a final state NOTIFYs, the steps before it and replays do not (they come first, in commit
    /// order, so the first notification would be theirs).
    @Test func aChangeToAFinalStateNotifiesWithThePlanUUIDAndItsStateAndNothingElseDoes() async throws {
        try await Self.withPlan(nav: true, gp: false) { (store, uuid, _, postgres) async throws in
            let received = try await postgres.withConnection { connection in
                try await connection.listen(on: PlanStatusNotification.channel) { notifications in
                    try await store.apply(.init(uuid: uuid, kind: .verified))
                    try await store.apply(.init(uuid: uuid, kind: .verified))
                    try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav))
                    for try await notification in notifications { return notification.payload }
                    return ""
                }
            }
            #expect(received == "\(uuid.lowercasedString):COMPLETED")
            #expect(PlanStatusNotification.parse(received)?.state == .completed)
            #expect(PlanStatusNotification.parse(uuid.uuidString)?.state == nil, "a bare uuid says no state")
        }
    }

    // MARK: - Helpers

    typealias Reader = @Sendable () async throws -> Row

    /// A plan stored the intake's way (RECEIVED, requested channels PENDING), its store, a reader.
    static func withPlan(
        nav: Bool, gp: Bool, _ body: @escaping @Sendable (StatusTransitions, UUID, Reader, PostgresClient) async throws -> Void
    ) async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let plan = FollowUpPlanDTO(
                employeeIdentificationNumber: "01019012345", typicalWorkday: "a", tasksThatCanStillBeDone: "b",
                tasksThatCanNotBeDone: "c", previousFacilitation: "d", plannedFacilitation: "e", followUp: "f",
                evaluationDate: CalendarDate(iso: "2027-01-15")!, sendPlanToNav: nav, sendPlanToGeneralPractitioner: gp,
                contactPersonFullName: "g", contactPersonPhoneNumber: "h", contactPersonEmail: "i", employeeHasContributedToPlan: true,
                lpsName: "j")
            let submission = PlanSubmission(plan: plan, employerOrgNumber: "123456789", lpsOrgNumber: "123456789", frontDoor: .http)
            _ = try await SubmissionStore(postgres: postgres, topics: .local, logger: TestServices.logger).store(
                submission, idempotency: nil, callID: nil)
            let uuid = submission.uuid
            let read: Reader = {
                let rows = try await postgres.query(
                    """
                    SELECT state, nav_state, gp_state, error_type, nav_journalpost_id, gp_error_type, nav_attempts, revision::int8
                    FROM plan_status WHERE plan_uuid = \(uuid)
                    """)
                for try await (state, nav, gp, errorType, journalpost, gpErrorType, attempts, revision)
                    in rows.decode((String, String, String, String?, String?, String?, Int, Int).self)
                {
                    return Row(
                        state: state, nav: nav, gp: gp, errorType: errorType, navJournalpost: journalpost, gpErrorType: gpErrorType,
                        navAttempts: attempts, revision: revision)
                }
                throw MissingTestService(description: "no status row")
            }
            try await body(StatusTransitions(postgres: postgres, topics: .local, logger: TestServices.logger), uuid, read, postgres)
        }
    }
}

/// `PlanState.forward` and `.redrive` are what the SQL does: every status event applied to
/// every kind of status row in real PostgreSQL makes exactly those moves, and no other.
@Suite(.timeLimit(.minutes(5))) struct PlanStateMachineTests {
    /// A status row to start from: state, and per channel its state and error type.
    struct Start: Sendable {
        var state: String
        var nav: (String, String?)
        var gp: (String, String?)
        var error: String?
    }

    static let starts: [Start] = [
        .init(state: "RECEIVED", nav: ("PENDING", nil), gp: ("PENDING", nil)),
        .init(state: "RECEIVED", nav: ("NOT_REQUESTED", nil), gp: ("NOT_REQUESTED", nil)),
        .init(state: "IN_PROGRESS", nav: ("PENDING", nil), gp: ("PENDING", nil)),
        .init(state: "IN_PROGRESS", nav: ("SENT", nil), gp: ("PENDING", nil)),
        .init(state: "COMPLETED", nav: ("SENT", nil), gp: ("SENT", nil)),
        .init(state: "COMPLETED", nav: ("SENT", nil), gp: ("FAILED", "INTERNAL_SERVER_ERROR")),
        .init(state: "FAILED", nav: ("FAILED", "INTERNAL_SERVER_ERROR"), gp: ("FAILED", "INTERNAL_SERVER_ERROR"), error: "INTERNAL_SERVER_ERROR"),
        .init(
            state: "FAILED", nav: ("NOT_REQUESTED", nil), gp: ("FAILED", "GENERAL_PRACTITIONER_NOT_FOUND"), error: "GENERAL_PRACTITIONER_NOT_FOUND"),
        .init(state: "REJECTED", nav: ("PENDING", nil), gp: ("PENDING", nil), error: "NO_ACTIVE_EMPLOYMENT"),
    ]

    static func events(_ uuid: UUID) -> [StatusStepEvent] {
        [
            .init(uuid: uuid, kind: .verified), .init(uuid: uuid, kind: .rejected, error: .init(ApiError.noActiveEmployment)),
            .init(uuid: uuid, kind: .failed, error: .init(PublicProblems.planFailed)),
            .init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "1"),
            .init(uuid: uuid, kind: .channelSent, channel: .generalPractitioner),
            .init(uuid: uuid, kind: .channelFailed, channel: .nav, error: .init(PublicProblems.navDeliveryFailed)),
            .init(uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(ApiError.generalPractitionerNotFound)),
            .init(uuid: uuid, kind: .channelRetrying, channel: .nav), .init(uuid: uuid, kind: .reopened),
            .init(uuid: uuid, kind: .reopened, channel: .nav), .init(uuid: uuid, kind: .reopened, channel: .generalPractitioner),
        ]
    }

    @Test func theSQLMakesExactlyTheDeclaredMoves() async throws {
        try await StatusTransitionsTests.withPlan(nav: true, gp: true) { (store, uuid, read, postgres) async throws in
            var observed: Set<PlanState.Transition> = []
            for start in Self.starts {
                for event in Self.events(uuid) {
                    try await postgres.query(
                        """
                        UPDATE plan_status SET state = \(start.state), error_type = \(start.error),
                            error_message = CASE WHEN \(start.error)::text IS NULL THEN NULL ELSE 'x' END,
                            nav_state = \(start.nav.0), nav_error_type = \(start.nav.1),
                            nav_error_message = CASE WHEN \(start.nav.1)::text IS NULL THEN NULL ELSE 'x' END,
                            gp_state = \(start.gp.0), gp_error_type = \(start.gp.1),
                            gp_error_message = CASE WHEN \(start.gp.1)::text IS NULL THEN NULL ELSE 'x' END
                        WHERE plan_uuid = \(uuid)
                        """)
                    _ = try await store.applyChange(event)
                    let after = try await read().state
                    if after != start.state {
                        observed.insert(.init(PlanState(rawValue: start.state)!, PlanState(rawValue: after)!))
                    }
                }
            }
            #expect(observed == PlanState.forward.union(PlanState.redrive), "observed \(observed.sorted { $0.description < $1.description })")
        }
    }
}

extension StatusTransitions {
    /// The plan's status as the contract shows it, read the way the status query reads it.
    func read(_ uuid: UUID) async throws -> PlanStatusRecord? {
        try await PlanStatusReader(postgres: postgres, logger: logger).read(uuid)
    }
}
