import Domain
import Foundation
import PostgresNIO
import Storage
import Submissions
import TestSupport
import Testing

/// The statement `make bench-intake` gives pgbench must be the intake's own, and must store the
/// same rows the intake stores.
@Suite(.timeLimit(.minutes(5))) struct SubmissionStatementTests {
    @Test func theBenchmarkStatementStoresWhatTheIntakeStores() async throws {
        let plan = FollowUpPlanDTO(
            employeeIdentificationNumber: "01019012345", typicalWorkday: "It's a 'quoted' day: 08:00-16:00 \\ ok",
            tasksThatCanStillBeDone: "a", tasksThatCanNotBeDone: "b", previousFacilitation: "c", plannedFacilitation: "d",
            followUp: "e", evaluationDate: CalendarDate(iso: "2027-01-15")!, sendPlanToNav: true, needsHelpFromNav: nil,
            sendPlanToGeneralPractitioner: false, contactPersonFullName: "f", contactPersonPhoneNumber: "g",
            contactPersonEmail: "h", employeeHasContributedToPlan: true, lpsName: "i")
        let submission = PlanSubmission(plan: plan, employerOrgNumber: "123456789", lpsOrgNumber: "123456789", frontDoor: .http)
        try await TestServices.withMigratedDatabase { client in
            for _ in 0..<2 {
                try await client.query(PostgresQuery(unsafeSQL: SubmissionStore.benchmarkStatement(submission)))
            }
            let rows = try await client.query(
                """
                SELECT p.typical_workday, p.needs_help_from_nav IS NULL, s.nav_state, s.gp_state, o.payload->>'sendPlanToNav'
                FROM followup_plan p JOIN plan_status s ON s.plan_uuid = p.uuid JOIN outbox o ON o.message_key = p.uuid::text
                """)
            var count = 0
            for try await (workday, helpIsNull, nav, gp, sendToNav) in rows.decode((String, Bool, String, String, String).self) {
                count += 1
                #expect(workday == plan.typicalWorkday)
                #expect(helpIsNull)
                #expect(nav == "PENDING" && gp == "NOT_REQUESTED")
                #expect(sendToNav == "true")
            }
            #expect(count == 2, "a new uuid per run")
        }
    }
}
