import Domain
import Foundation
import Logging
import PostgresNIO
import Storage

/// The channels' view of the database: the plan they send (`followup_plan`) and its one PDF
/// (`plan_pdf`, with its build lease in ``pdfBuiltOnce(_:lease:pollInterval:build:)``).
/// The intake writes the plan (`SubmissionStore`); the NAV and GP channels only read it.
public struct PlanPdfStore: Sendable {
    /// Its database (a channel's own statements over the plan, such as the GP channel's read,
    /// go to the same one).
    public let postgres: PostgresClient
    public let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The whole plan `uuid` with its PDF and its recorded steps (one statement), or nil when
    /// there is no such plan.
    public func plan(_ uuid: UUID) async throws -> StoredPlan? {
        let rows = try await postgres.prepared("SELECT \(unescaped: Self.planColumns) FROM followup_plan p WHERE uuid = \(uuid)", logger: logger)
        for row in rows { return try Self.storedPlan(row.makeRandomAccess(), uuid: uuid) }
        return nil
    }

    /// What ``storedPlan(_:uuid:)`` reads, as the select list of a query over `followup_plan p`
    /// (the lookup reads the plan with its own facts in one statement).
    public static let planColumns = """
        (SELECT pdf FROM plan_pdf WHERE plan_uuid = p.uuid) AS pdf, \(RecordedSteps.column(plan: "p.uuid")) AS steps,
        employer_org_number, lps_org_number, employee_identification_number, typical_workday, tasks_that_can_still_be_done,
        tasks_that_can_not_be_done, previous_facilitation, planned_facilitation, other_facilitation_options, follow_up,
        evaluation_date::text AS evaluation_date, send_plan_to_nav, needs_help_from_nav, needs_help_from_nav_description,
        send_plan_to_general_practitioner, message_to_general_practitioner, additional_information, contact_person_full_name,
        contact_person_phone_number, contact_person_email, employee_has_contributed_to_plan,
        employee_has_not_contributed_to_plan_description, lps_name, lps_email
        """

    /// The plan `uuid` in a row with ``planColumns``.
    public static func storedPlan(_ cells: PostgresRandomAccessRow, uuid: UUID) throws -> StoredPlan {
        func text(_ column: String) throws -> String { try cells[column].decode(String.self) }
        func optionalText(_ column: String) throws -> String? { try cells[column].decode(String?.self) }
        func flag(_ column: String) throws -> Bool { try cells[column].decode(Bool.self) }
        guard let evaluationDate = CalendarDate(iso: try text("evaluation_date")) else {
            throw PoisonedPlanRow(uuid: uuid, column: "evaluation_date")
        }
        let plan = FollowUpPlanDTO(
            employeeIdentificationNumber: try text("employee_identification_number"), typicalWorkday: try text("typical_workday"),
            tasksThatCanStillBeDone: try text("tasks_that_can_still_be_done"), tasksThatCanNotBeDone: try text("tasks_that_can_not_be_done"),
            previousFacilitation: try text("previous_facilitation"), plannedFacilitation: try text("planned_facilitation"),
            otherFacilitationOptions: try optionalText("other_facilitation_options"), followUp: try text("follow_up"),
            evaluationDate: evaluationDate, sendPlanToNav: try flag("send_plan_to_nav"),
            needsHelpFromNav: try cells["needs_help_from_nav"].decode(Bool?.self),
            needsHelpFromNavDescription: try optionalText("needs_help_from_nav_description"),
            sendPlanToGeneralPractitioner: try flag("send_plan_to_general_practitioner"),
            messageToGeneralPractitioner: try optionalText("message_to_general_practitioner"),
            additionalInformation: try optionalText("additional_information"), contactPersonFullName: try text("contact_person_full_name"),
            contactPersonPhoneNumber: try text("contact_person_phone_number"), contactPersonEmail: try text("contact_person_email"),
            employeeHasContributedToPlan: try flag("employee_has_contributed_to_plan"),
            employeeHasNotContributedToPlanDescription: try optionalText("employee_has_not_contributed_to_plan_description"),
            lpsName: try text("lps_name"), lpsEmail: try optionalText("lps_email"))
        return StoredPlan(
            uuid: uuid, employerOrgNumber: try text("employer_org_number"), lpsOrgNumber: try text("lps_org_number"), plan: plan,
            pdf: try cells["pdf"].decode(ByteBuffer?.self).map { Array(buffer: $0) },
            steps: RecordedSteps(column: try cells["steps"].decode([String]?.self)))
    }

    /// The plan's PDF, when one was stored.
    public func pdf(_ uuid: UUID) async throws -> [UInt8]? {
        let rows = try await postgres.query("SELECT pdf FROM plan_pdf WHERE plan_uuid = \(uuid)", logger: logger)
        for try await pdf in rows.decode(ByteBuffer.self) { return Array(buffer: pdf) }
        return nil
    }

    /// Stores `pdf` unless one is stored already; returns the one that is stored now (the first
    /// one wins, so both channels send the same document).
    public func storePDF(_ pdf: [UInt8], for uuid: UUID) async throws -> [UInt8] {
        try await storePDF(pdf, for: uuid, releasing: nil)
    }

    /// `pdf`, stored in the statement that records a step of its plan (the lookup's verdict:
    /// ``Storage/RecordCompanion``), unless a PDF is stored already (the first one wins, as in
    /// ``storePDF(_:for:)``).
    public static func storedWithRecord(_ pdf: [UInt8]) -> RecordCompanion {
        RecordCompanion(ByteBuffer(bytes: pdf)) { bind in
            "INSERT INTO plan_pdf (plan_uuid, pdf) SELECT $1, $\(bind) FROM recorded ON CONFLICT (plan_uuid) DO NOTHING"
        }
    }

    /// ``storePDF(_:for:)``, ending `holder`'s build lease in the same statement. The lease row
    /// stays, held for ever (`expires_at = 'infinity'`: "built"), rather than being deleted: a
    /// caller whose look at the plan began before this commit (and so saw no PDF) would
    /// otherwise find no lease either and build a second PDF; it finds the lease held, waits,
    /// and its next look finds the PDF. The row goes with its plan (migration 0010's trigger).
    /// The earlier PDF comes back only when there was one: ours is not sent back over the wire.
    func storePDF(_ pdf: [UInt8], for uuid: UUID, releasing holder: UUID?) async throws -> [UInt8] {
        let rows = try await postgres.prepared(
            """
            WITH stored AS (
                INSERT INTO plan_pdf (plan_uuid, pdf) VALUES (\(uuid), \(ByteBuffer(bytes: pdf))) ON CONFLICT (plan_uuid) DO NOTHING RETURNING 1
            ), built AS (
                UPDATE plan_pdf_lease SET expires_at = 'infinity' WHERE plan_uuid = \(uuid) AND holder = \(holder)
            )
            SELECT pdf FROM plan_pdf WHERE plan_uuid = \(uuid) AND NOT EXISTS (SELECT 1 FROM stored)
            """, logger: logger)
        for row in rows { return Array(buffer: try row.decode(ByteBuffer.self)) }
        return pdf
    }
}

/// A stored plan row that cannot be a plan (a date the intake would never have stored).
public struct PoisonedPlanRow: Error, CustomStringConvertible {
    public var uuid: UUID
    public var column: String

    public var description: String { "plan \(uuid.lowercasedString) has an unreadable \(column)" }
}
