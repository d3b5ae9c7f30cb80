/// The old service's two tables of plans, with their final columns (its Flyway migrations V1–V15,
/// `navikt/lps-oppfolgingsplan-mottak` `src/main/resources/db/migration/`; docs/domain-reference.md 14.2).
public enum LegacyTable: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The API's plans (V11, V14 `lps_email`).
    case api = "FOLLOW_UP_PLAN_LPS_V1"
    /// The older Altinn channel's plans (V9, V15 `skip_retry`).
    case altinn = "ALTINN_LPS"

    public var description: String { rawValue }

    /// The table's name as PostgreSQL keeps it (the migrations' unquoted names fold to lower case).
    var sqlName: String { rawValue.lowercased() }

    /// Every column of the final schema, in the migrations' order. The import refuses a source
    /// whose table has other columns: a value it does not know would be lost without a word.
    var columns: [String] {
        switch self {
        case .api:
            [
                "uuid", "organization_number", "employee_identification_number", "typical_workday", "tasks_that_can_still_be_done",
                "tasks_that_can_not_be_done", "previous_facilitation", "planned_facilitation", "other_facilitation_options", "follow_up",
                "evaluation_date", "needs_help_from_nav", "needs_help_from_nav_description", "message_to_general_practitioner",
                "additional_information", "contact_person_full_name", "contact_person_phone_number", "contact_person_email",
                "employee_has_contributed_to_plan", "employee_has_not_contributed_to_plan_description", "pdf", "send_plan_to_nav",
                "sent_to_nav_at", "send_plan_to_general_practitioner", "sent_to_general_practitioner_at",
                "send_to_general_practitioner_retry_count", "journalpost_id", "lps_name", "lps_orgnumber", "created_at", "last_updated_at",
                "lps_email",
            ]
        case .altinn:
            [
                "uuid", "lps_fnr", "fnr", "orgnummer", "pdf", "xml", "should_send_to_nav", "should_send_to_fastlege", "sent_to_nav",
                "sent_to_fastlege", "send_to_fastlege_retry_count", "journalpost_id", "archive_reference", "created", "last_changed",
                "migrated", "skip_retry",
            ]
        }
    }

    /// When the old service received the plan (wall-clock time): `--created-since` filters on it.
    var createdColumn: String {
        switch self {
        case .api: "created_at"
        case .altinn: "created"
        }
    }

    /// The `TIMESTAMP` columns: read as text (wall-clock time, to the microsecond).
    var timestampColumns: Set<String> {
        switch self {
        case .api: ["sent_to_nav_at", "sent_to_general_practitioner_at", "created_at", "last_updated_at"]
        case .altinn: ["created", "last_changed"]
        }
    }

    /// Which version of a row this is: an MD5 of every column, the PDF by its own MD5 (so the
    /// server hashes the bytes once rather than their hex text). Computed by the source server,
    /// so a second run compares versions without moving a single PDF.
    var fingerprintSQL: String {
        "md5(row(" + columns.map { $0 == "pdf" ? "md5(t.pdf)" : "t.\($0)" }.joined(separator: ", ") + ")::text)"
    }

    /// The select list of a full row: timestamps and the date as text, the fingerprint last.
    var selectSQL: String {
        columns.map { column in
            if timestampColumns.contains(column) { return "to_char(t.\(column), 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS \(column)" }
            if column == "evaluation_date" { return "t.evaluation_date::text AS evaluation_date" }
            return "t.\(column)"
        }.joined(separator: ", ") + ", \(fingerprintSQL) AS fingerprint"
    }

    /// The old status answer's `isSentToNavStatus` and `isSentToGeneralPractitionerStatus`
    /// (its `LpsOppfolgingsplanDao.kt`); Altinn plans had none.
    var statusAnswerSQL: String {
        switch self {
        case .api: "t.sent_to_nav_at IS NOT NULL, t.sent_to_general_practitioner_at IS NOT NULL"
        case .altinn: "NULL::boolean, NULL::boolean"
        }
    }

    /// The condition under which a row is one a case worker sees (the old `VeilederDao.kt`).
    var visibleToCaseWorkersSQL: String {
        switch self {
        case .api: "t.send_plan_to_nav AND t.pdf IS NOT NULL"
        case .altinn: "t.should_send_to_nav AND t.pdf IS NOT NULL"
        }
    }
}
