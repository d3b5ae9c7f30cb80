import Foundation
import PostgresNIO
import Storage
import TestSupport
import Testing

/// What the analysts' user `esyfo-analyse` (the old service's V13 user, now a NAIS database
/// user) may read: the views of `analytics`, with what statistics need and no person in them.
@Suite(.timeLimit(.minutes(5))) struct AnalyticsViewsTests {
    /// Every column the views have. A new column is a decision to make here, in the open.
    static let planColumns = [
        "plan_uuid", "employer_org_number", "lps_org_number", "lps_name", "submitted_via", "from_previous_service", "created_at",
        "evaluation_date", "send_plan_to_nav", "needs_help_from_nav", "send_plan_to_general_practitioner", "employee_has_contributed_to_plan",
        "state", "error_type", "nav_state", "nav_updated_at", "nav_attempts", "gp_state", "gp_updated_at", "gp_attempts", "gp_error_type",
        "updated_at", "has_pdf",
    ]
    static let altinnColumns = [
        "plan_uuid", "employer_org_number", "created", "last_changed", "should_send_to_nav", "should_send_to_fastlege", "sent_to_nav",
        "sent_to_fastlege", "send_to_fastlege_retry_count", "has_pdf",
    ]

    @Test func analystsReadStatisticsAndNoPerson() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            try await PlanRows.insert(postgres, ["uuid": "'6f1c2d3e-0000-4000-8000-000000000001'"])
            try await postgres.query(
                "INSERT INTO plan_status (plan_uuid, state, nav_state, gp_state) VALUES ('6f1c2d3e-0000-4000-8000-000000000001', 'COMPLETED', 'SENT', 'NOT_REQUESTED')",
                logger: TestServices.logger)
            try await postgres.query(
                """
                INSERT INTO legacy_altinn_plan (uuid, lps_fnr, orgnummer, xml, should_send_to_nav, should_send_to_fastlege, sent_to_nav,
                    sent_to_fastlege, send_to_fastlege_retry_count, created, last_changed, migrated)
                VALUES (gen_random_uuid(), '01010112345', '123456789', '<x/>', true, false, true, false, 0, now(), now(), true)
                """, logger: TestServices.logger)

            let columns = try await postgres.query(
                """
                SELECT table_name::text, array_agg(column_name::text ORDER BY ordinal_position)
                FROM information_schema.columns WHERE table_schema = 'analytics' GROUP BY table_name ORDER BY table_name
                """, logger: TestServices.logger)
            var views: [String: [String]] = [:]
            for try await (view, names) in columns.decode((String, [String]).self) { views[view] = names }
            #expect(views == ["followup_plan": Self.planColumns, "altinn_plan": Self.altinnColumns])

            try await postgres.withConnection { connection in
                try await connection.query("BEGIN", logger: TestServices.logger)
                try await connection.query(#"SET LOCAL ROLE "esyfo-analyse""#, logger: TestServices.logger)
                let counts = try await connection.query(
                    """
                    SELECT (SELECT count(*) FROM analytics.followup_plan WHERE nav_state = 'SENT' AND NOT from_previous_service)::int8,
                           (SELECT count(*) FROM analytics.altinn_plan)::int8
                    """, logger: TestServices.logger)
                for try await (plans, altinn) in counts.decode((Int, Int).self) { #expect(plans == 1 && altinn == 1) }
                // Not a table: neither the plans' text and persons nor the old Altinn XML.
                for table in ["followup_plan", "legacy_altinn_plan", "plan_pdf"] {
                    try await connection.query("SAVEPOINT probe", logger: TestServices.logger)
                    let error = await #expect(throws: PSQLError.self) {
                        try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: TestServices.logger)
                    }
                    #expect(error?.serverInfo?[.sqlState] == "42501", "insufficient_privilege on \(table)")
                    try await connection.query("ROLLBACK TO SAVEPOINT probe", logger: TestServices.logger)
                }
                try await connection.query("ROLLBACK", logger: TestServices.logger)
            }
        }
    }
}
