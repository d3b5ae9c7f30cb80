import Domain
import Foundation
import NIOCore
import PostgresNIO

/// The statements that write one legacy plan here: one statement per plan (data-modifying
/// CTEs), so a plan, its status, its PDF and its import record are written together or not at all.
enum LegacyStatements {
    /// An API plan as a final plan here: `followup_plan` (submitted over HTTP, as it was),
    /// `plan_status` (settled: ``LegacyStatus``), `plan_pdf` (when it had one), `legacy_import`.
    /// No outbox event: the old service delivered it (or did not) long ago.
    static func insert(_ row: LegacyApiPlan, sourceTimeZone: String) -> PostgresQuery {
        // Only rows without a refusal are written, and those have a plan.
        let plan = row.plan!
        let status = row.status
        var values = Binder()
        let zone = values(sourceTimeZone)
        func instant(_ text: String?) -> String { "(\(values(text))::timestamp AT TIME ZONE \(zone))" }
        let columns: [(String, String)] = [
            ("uuid", values(row.uuid) + "::uuid"), ("employer_org_number", values(row.organizationNumber)),
            ("lps_org_number", values(row.lpsOrgNumber)), ("submitted_via", values(PlanSubmission.FrontDoor.http.rawValue)),
            ("employee_identification_number", values(plan.employeeIdentificationNumber)), ("typical_workday", values(plan.typicalWorkday)),
            ("tasks_that_can_still_be_done", values(plan.tasksThatCanStillBeDone)),
            ("tasks_that_can_not_be_done", values(plan.tasksThatCanNotBeDone)), ("previous_facilitation", values(plan.previousFacilitation)),
            ("planned_facilitation", values(plan.plannedFacilitation)), ("other_facilitation_options", values(plan.otherFacilitationOptions)),
            ("follow_up", values(plan.followUp)), ("evaluation_date", values(plan.evaluationDate.description) + "::date"),
            ("send_plan_to_nav", values(plan.sendPlanToNav)), ("needs_help_from_nav", values(plan.needsHelpFromNav)),
            ("needs_help_from_nav_description", values(plan.needsHelpFromNavDescription)),
            ("send_plan_to_general_practitioner", values(plan.sendPlanToGeneralPractitioner)),
            ("message_to_general_practitioner", values(plan.messageToGeneralPractitioner)),
            ("additional_information", values(plan.additionalInformation)), ("contact_person_full_name", values(plan.contactPersonFullName)),
            ("contact_person_phone_number", values(plan.contactPersonPhoneNumber)), ("contact_person_email", values(plan.contactPersonEmail)),
            ("employee_has_contributed_to_plan", values(plan.employeeHasContributedToPlan)),
            ("employee_has_not_contributed_to_plan_description", values(plan.employeeHasNotContributedToPlanDescription)),
            ("lps_name", values(plan.lpsName)), ("lps_email", values(plan.lpsEmail)), ("created_at", instant(row.createdAt)),
        ]
        let channels = [("nav", status.nav), ("gp", status.generalPractitioner)]
        let statusColumns: [(String, String)] =
            [
                ("plan_uuid", "uuid"), ("state", values(status.state.rawValue)), ("error_type", values(status.error?.type.rawValue)),
                ("error_message", values(status.error?.message)),
            ]
            + channels.flatMap { prefix, channel in
                [
                    ("\(prefix)_state", values(channel.state.rawValue)), ("\(prefix)_updated_at", instant(channel.updatedAt)),
                    ("\(prefix)_attempts", values(channel.attempts)), ("\(prefix)_error_type", values(channel.error?.type.rawValue)),
                    ("\(prefix)_error_message", values(channel.error?.message)),
                ]
            } + [
                ("nav_journalpost_id", values(row.journalpostID)), ("received_at", "created_at"), ("updated_at", instant(row.lastUpdatedAt)),
            ]
        let pdf = values(row.pdf)
        let sql = """
            WITH plan AS (
                INSERT INTO followup_plan (\(columns.map(\.0).joined(separator: ", ")))
                VALUES (\(columns.map(\.1).joined(separator: ", ")))
                RETURNING uuid, created_at
            ),
            status AS (
                INSERT INTO plan_status (\(statusColumns.map(\.0).joined(separator: ", ")))
                SELECT \(statusColumns.map(\.1).joined(separator: ", ")) FROM plan
            ),
            document AS (
                INSERT INTO plan_pdf (plan_uuid, pdf, created_at) SELECT uuid, \(pdf)::bytea, created_at FROM plan WHERE \(pdf)::bytea IS NOT NULL
            )
            \(recordSQL(.api, fingerprint: values(row.fingerprint)))
            """
        return PostgresQuery(unsafeSQL: sql, binds: values.bindings)
    }

    /// An Altinn plan, kept as the old service had it, in `legacy_altinn_plan`.
    static func insert(_ row: LegacyAltinnPlan, sourceTimeZone: String) -> PostgresQuery {
        var values = Binder()
        let zone = values(sourceTimeZone)
        func instant(_ text: String) -> String { "(\(values(text))::timestamp AT TIME ZONE \(zone))" }
        let columns: [(String, String)] = [
            ("uuid", values(row.uuid) + "::uuid"), ("lps_fnr", values(row.lpsFnr)), ("fnr", values(row.fnr)), ("orgnummer", values(row.orgnummer)),
            ("pdf", values(row.pdf) + "::bytea"), ("xml", values(row.xml)), ("should_send_to_nav", values(row.shouldSendToNav)),
            ("should_send_to_fastlege", values(row.shouldSendToFastlege)), ("sent_to_nav", values(row.sentToNav)),
            ("sent_to_fastlege", values(row.sentToFastlege)), ("send_to_fastlege_retry_count", values(row.sendToFastlegeRetryCount)),
            ("journalpost_id", values(row.journalpostID)), ("archive_reference", values(row.archiveReference)),
            ("created", instant(row.created)), ("last_changed", instant(row.lastChanged)), ("migrated", values(row.migrated)),
            ("skip_retry", values(row.skipRetry)),
        ]
        let sql = """
            WITH plan AS (
                INSERT INTO legacy_altinn_plan (\(columns.map(\.0).joined(separator: ", ")))
                VALUES (\(columns.map(\.1).joined(separator: ", ")))
                RETURNING uuid
            )
            \(recordSQL(.altinn, fingerprint: values(row.fingerprint)))
            """
        return PostgresQuery(unsafeSQL: sql, binds: values.bindings)
    }

    /// The import's record of the row: which table, which version.
    private static func recordSQL(_ table: LegacyTable, fingerprint: String) -> String {
        """
        INSERT INTO legacy_import (plan_uuid, source_table, source_fingerprint)
        SELECT uuid, '\(table.rawValue)', \(fingerprint) FROM plan
        ON CONFLICT (plan_uuid) DO UPDATE SET source_fingerprint = EXCLUDED.source_fingerprint, updated_at = now()
        """
    }
}

/// Numbered placeholders handed out as values are bound (`$1`, `$2`, …), each typed by its
/// Swift type (a nil as NULL of that type).
struct Binder {
    var bindings = PostgresBindings()

    mutating func callAsFunction<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        if let value { bindings.append(value) } else { bindings.appendNull() }
        return "$\(bindings.count)"
    }
}
