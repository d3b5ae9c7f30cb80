import Foundation
import PostgresNIO
import Storage
import TestSupport
import Testing

/// The schema itself refuses rows the domain forbids, whatever code writes them.
@Suite(.timeLimit(.minutes(5))) struct SchemaConstraintTests {
    /// A refused row's DETAIL repeats it ("Failing row contains (…)", identity number and all);
    /// the log's text of the error names the constraint and keeps the row out.
    @Test func theLoggedTextOfARefusedRowNamesTheConstraintAndNotTheRow() async throws {
        try await TestServices.withMigratedDatabase { client in
            do {
                try await PlanRows.insert(client, ["employer_org_number": "'12345678'", "employee_identification_number": "'31129912345'"])
                Issue.record("accepted a short org number")
            } catch {
                #expect(String(reflecting: error).contains("31129912345"), "what postgres-nio itself would print")
                let logged = LoggedError.text(error)
                #expect(!logged.contains("31129912345"))
                #expect(logged.contains("23514") && logged.contains("followup_plan_employer_org_number_check"), "\(logged)")
            }
        }
    }

    @Test(arguments: [
        ("employer_org_number", "'12345678'", "followup_plan_employer_org_number_check"),
        ("lps_org_number", "'12345678a'", "followup_plan_lps_org_number_check"),
        ("employee_identification_number", "'0101011234'", "followup_plan_employee_identification_number_check"),
        ("submitted_via", "'FAX'", "followup_plan_submitted_via_check"),
        ("send_plan_to_nav", "false", "help_from_nav_requires_send_to_nav"),
        ("needs_help_from_nav_description", "'  '", "help_from_nav_requires_description"),
        ("needs_help_from_nav_description", "NULL", "help_from_nav_requires_description"),
        ("employee_has_not_contributed_to_plan_description", "' '", "contributed_forbids_description"),
    ])
    func refusesAPlanThatBreaksARule(column: String, value: String, constraint: String) async throws {
        try await TestServices.withMigratedDatabase { client in
            try await PlanRows.insert(client, [:])  // the baseline is accepted
            do {
                try await PlanRows.insert(client, [column: value])
                Issue.record("accepted \(column) = \(value)")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.sqlState] == "23514")
                #expect(error.serverInfo?[.constraintName] == constraint)
            }
        }
    }

    @Test(arguments: ["NULL", "' \t'"])
    func refusesANotContributedPlanWithoutDescription(description: String) async throws {
        try await TestServices.withMigratedDatabase { client in
            do {
                try await PlanRows.insert(
                    client, ["employee_has_contributed_to_plan": "false", "employee_has_not_contributed_to_plan_description": description])
                Issue.record("accepted a blank description \(description)")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.constraintName] == "not_contributed_requires_description")
            }
        }
    }

    @Test func aStatusRowCannotBeRejectedWithoutSayingWhyNorCompletedWhilePending() async throws {
        try await TestServices.withMigratedDatabase { client in
            let uuid = UUID()
            try await PlanRows.insert(client, ["uuid": "'\(uuid)'"])
            try await client.query(
                PostgresQuery(unsafeSQL: "INSERT INTO plan_status (plan_uuid, nav_state, gp_state) VALUES ('\(uuid)', 'PENDING', 'NOT_REQUESTED')"))
            for update in ["state = 'REJECTED'", "state = 'COMPLETED'", "nav_state = 'FAILED'", "state = 'LOST'"] {
                await #expect(throws: PSQLError.self, "UPDATE plan_status SET \(update)") {
                    try await client.query(PostgresQuery(unsafeSQL: "UPDATE plan_status SET \(update) WHERE plan_uuid = '\(uuid)'"))
                }
            }
            try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE plan_status SET state = 'REJECTED', error_type = 'NO_ACTIVE_EMPLOYMENT',
                        error_message = 'No active employment relationship found for given orgnumber' WHERE plan_uuid = '\(uuid)'
                        """))
        }
    }
}
