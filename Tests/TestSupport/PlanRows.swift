import PostgresNIO

/// A `followup_plan` row written as SQL, bypassing the intake: for tests of the schema and of
/// the readers of plans, which need a plan row and nothing else.
public enum PlanRows {
    /// A plan row that satisfies every rule, as column → SQL literal.
    public static let valid: [String: String] = [
        "uuid": "gen_random_uuid()", "employer_org_number": "'123456789'", "lps_org_number": "'987654321'",
        "submitted_via": "'HTTP'", "employee_identification_number": "'01010112345'", "typical_workday": "'x'",
        "tasks_that_can_still_be_done": "'x'", "tasks_that_can_not_be_done": "'x'", "previous_facilitation": "'x'",
        "planned_facilitation": "'x'", "follow_up": "'x'", "evaluation_date": "'2027-01-01'",
        "send_plan_to_nav": "true", "needs_help_from_nav": "true", "needs_help_from_nav_description": "'help'",
        "send_plan_to_general_practitioner": "false", "contact_person_full_name": "'x'",
        "contact_person_phone_number": "'x'", "contact_person_email": "'x'", "employee_has_contributed_to_plan": "true",
        "employee_has_not_contributed_to_plan_description": "''", "lps_name": "'LPS'",
    ]

    /// Inserts ``valid`` with `overrides` (column → SQL literal).
    public static func insert(_ client: PostgresClient, _ overrides: [String: String]) async throws {
        let row = valid.merging(overrides) { $1 }.sorted { $0.key < $1.key }
        let sql = "INSERT INTO followup_plan (\(row.map(\.key).joined(separator: ", "))) VALUES (\(row.map(\.value).joined(separator: ", ")))"
        try await client.query(PostgresQuery(unsafeSQL: sql))
    }
}
