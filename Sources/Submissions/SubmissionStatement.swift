import Domain
import Foundation
import Logging
import PostgresNIO

extension SubmissionStore {
    /// The statement: optionally claim the key, then the plan (only when the key was claimed),
    /// its status and its outbox event; answers how many plans it inserted (0 or 1).
    static func insertQuery(
        _ submission: PlanSubmission, idempotency: IdempotencyClaim?, callID: String?, traceHeaders: [(String, String)] = [],
        outboxTopic: String
    ) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: 34)
        let sql = insertSQL(
            submission, idempotency: idempotency, callID: callID, traceHeaders: traceHeaders, outboxTopic: outboxTopic, values: &bindings)
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The statement the intake runs for `submission`, with its values written as SQL literals
    /// and a new uuid per run: the benchmark gives it to pgbench, so that both sides of the
    /// comparison execute the very same transaction.
    public static func benchmarkStatement(_ submission: PlanSubmission, outboxTopic: String = EventTopics.local.received) -> String {
        var literals = LiteralValues()
        return insertSQL(submission, idempotency: nil, callID: nil, outboxTopic: outboxTopic, values: &literals)
    }

    static func insertSQL(
        _ submission: PlanSubmission, idempotency: IdempotencyClaim?, callID: String?, traceHeaders: [(String, String)] = [],
        outboxTopic: String, values bindings: inout some StatementValues
    ) -> String {
        let plan = submission.plan
        let event = submission.receivedEvent.jsonBody
        // The call id and the W3C trace context travel on: the plan's trace continues on Kafka.
        let headerJSON = MessageEnvelope(eventType: .received, callID: callID, traceHeaders: traceHeaders).outboxJSON

        var sql = "WITH "
        if let idempotency {
            sql += """
                claimed AS (
                    INSERT INTO idempotency_key (organization_number, lps_org_number, front_door, idempotency_key, request_sha256, plan_uuid)
                    VALUES (\(bindings.next(submission.employerOrgNumber)), \(bindings.next(submission.lpsOrgNumber)),
                            \(bindings.next(submission.frontDoor.rawValue)), \(bindings.next(idempotency.key)),
                            \(bindings.next(idempotency.requestDigest)), \(bindings.next(submission.uuid)))
                    ON CONFLICT DO NOTHING RETURNING plan_uuid
                ),

                """
        }
        // Every placeholder is cast: in `SELECT … FROM claimed` PostgreSQL cannot infer the type
        // of a NULL parameter from the target column and would take it for text.
        let columns: [(name: String, placeholder: String)] = [
            ("uuid", bindings.next(submission.uuid) + "::uuid"),
            ("employer_org_number", bindings.next(submission.employerOrgNumber) + "::text"),
            ("lps_org_number", bindings.next(submission.lpsOrgNumber) + "::text"),
            ("submitted_via", bindings.next(submission.frontDoor.rawValue) + "::text"),
            ("employee_identification_number", bindings.next(plan.employeeIdentificationNumber) + "::text"),
            ("typical_workday", bindings.next(plan.typicalWorkday) + "::text"),
            ("tasks_that_can_still_be_done", bindings.next(plan.tasksThatCanStillBeDone) + "::text"),
            ("tasks_that_can_not_be_done", bindings.next(plan.tasksThatCanNotBeDone) + "::text"),
            ("previous_facilitation", bindings.next(plan.previousFacilitation) + "::text"),
            ("planned_facilitation", bindings.next(plan.plannedFacilitation) + "::text"),
            ("other_facilitation_options", bindings.next(plan.otherFacilitationOptions) + "::text"),
            ("follow_up", bindings.next(plan.followUp) + "::text"),
            ("evaluation_date", bindings.next(plan.evaluationDate.description) + "::date"),
            ("send_plan_to_nav", bindings.next(plan.sendPlanToNav) + "::boolean"),
            ("needs_help_from_nav", bindings.next(plan.needsHelpFromNav) + "::boolean"),
            ("needs_help_from_nav_description", bindings.next(plan.needsHelpFromNavDescription) + "::text"),
            ("send_plan_to_general_practitioner", bindings.next(plan.sendPlanToGeneralPractitioner) + "::boolean"),
            ("message_to_general_practitioner", bindings.next(plan.messageToGeneralPractitioner) + "::text"),
            ("additional_information", bindings.next(plan.additionalInformation) + "::text"),
            ("contact_person_full_name", bindings.next(plan.contactPersonFullName) + "::text"),
            ("contact_person_phone_number", bindings.next(plan.contactPersonPhoneNumber) + "::text"),
            ("contact_person_email", bindings.next(plan.contactPersonEmail) + "::text"),
            ("employee_has_contributed_to_plan", bindings.next(plan.employeeHasContributedToPlan) + "::boolean"),
            (
                "employee_has_not_contributed_to_plan_description",
                bindings.next(plan.employeeHasNotContributedToPlanDescription) + "::text"
            ),
            ("lps_name", bindings.next(plan.lpsName) + "::text"),
            ("lps_email", bindings.next(plan.lpsEmail) + "::text"),
        ]
        let values = columns.map(\.placeholder).joined(separator: ", ")
        sql += """
            plan AS (
                INSERT INTO followup_plan (\(columns.map(\.name).joined(separator: ", ")))
                \(idempotency == nil ? "VALUES (\(values))" : "SELECT \(values) FROM claimed")
                RETURNING uuid
            ),
            status AS (
                INSERT INTO plan_status (plan_uuid, nav_state, gp_state)
                SELECT uuid, \(bindings.next(submission.initialNavState.rawValue))::text, \(bindings.next(submission.initialGeneralPractitionerState.rawValue))::text
                FROM plan
            ),
            event AS (
                INSERT INTO outbox (topic, message_key, payload, headers)
                SELECT \(bindings.next(outboxTopic))::text, uuid::text, \(bindings.next(event))::jsonb, \(bindings.next(headerJSON))::jsonb
                FROM plan
            )
            SELECT count(*)::int8 FROM plan
            """
        return sql
    }
}

/// Where a statement's values go: bound parameters for the intake, literals for pgbench.
/// Each call answers the SQL text that stands for the value.
protocol StatementValues {
    mutating func next(_ value: String?) -> String
    mutating func next(_ value: Bool?) -> String
    mutating func next(_ value: UUID) -> String
}

/// Numbered placeholders (`$1`, `$2`, …) handed out as values are bound, so a statement that
/// is assembled in parts cannot get its numbering wrong.
extension PostgresBindings: StatementValues {
    mutating func next(_ value: String?) -> String { bind(value) }
    mutating func next(_ value: Bool?) -> String { bind(value) }
    mutating func next(_ value: UUID) -> String { bind(value) }

    private mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        if let value { append(value) } else { appendNull() }
        return "$\(count)"
    }
}

/// SQL literals; every uuid becomes `gen_random_uuid()` so each run inserts a new plan.
/// Strings are E-strings with `:` written `\x3a`, because pgbench would take `:name` (as in
/// the event's JSON `"sendPlanToNav":true`) for one of its variables.
struct LiteralValues: StatementValues {
    mutating func next(_ value: String?) -> String {
        guard let value else { return "NULL" }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
            .replacingOccurrences(of: ":", with: "\\x3a")
        return "E'" + escaped + "'"
    }

    mutating func next(_ value: Bool?) -> String { value.map { $0 ? "true" : "false" } ?? "NULL" }
    mutating func next(_ value: UUID) -> String { "gen_random_uuid()" }
}
