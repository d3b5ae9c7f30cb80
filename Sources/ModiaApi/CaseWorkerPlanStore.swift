import Foundation
import Logging
import PostgresNIO

/// The plans as case workers see them: those that were to go to NAV (`send_plan_to_nav`) and
/// have their PDF (`plan_pdf`, built once by the first channel; the document the journal post
/// holds). Plans only to the GP, and plans not yet through the lookup (no PDF), never appear,
/// as in the original's `VeilederDao.kt`.
public struct CaseWorkerPlanStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// A person's plans, the last changed first (`sistEndret`: the status row's last change,
    /// the original's `last_updated_at`). Uses `followup_plan_employee_idx`.
    public func plans(of person: String) async throws -> [ModiaPlanSummary] {
        let rows = try await postgres.query(
            """
            SELECT p.uuid::text AS uuid, p.employee_identification_number AS fnr, p.employer_org_number AS virksomhetsnummer,
                   to_char(p.created_at AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS opprettet,
                   to_char(s.updated_at AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS sist_endret
            FROM followup_plan p
            JOIN plan_pdf d ON d.plan_uuid = p.uuid
            JOIN plan_status s ON s.plan_uuid = p.uuid
            WHERE p.employee_identification_number = \(person) AND p.send_plan_to_nav
            ORDER BY s.updated_at DESC, p.uuid
            """, logger: logger)
        var plans: [ModiaPlanSummary] = []
        for try await (uuid, fnr, organisation, created, changed) in rows.decode((String, String, String, String, String).self) {
            plans.append(
                ModiaPlanSummary(
                    uuid: uuid, fnr: fnr, virksomhetsnummer: organisation, opprettet: ModiaPlanSummary.localDateTime(microseconds: created),
                    sistEndret: ModiaPlanSummary.localDateTime(microseconds: changed)))
        }
        return plans
    }

    /// The PDF of plan `uuid` and whose plan it is, when the plan went to NAV and has one;
    /// nil otherwise (unknown, to the GP only, or not yet built: the same answer for each).
    public func pdf(of uuid: UUID) async throws -> (person: String, pdf: ByteBuffer)? {
        let rows = try await postgres.query(
            """
            SELECT p.employee_identification_number, d.pdf
            FROM followup_plan p JOIN plan_pdf d ON d.plan_uuid = p.uuid
            WHERE p.uuid = \(uuid) AND p.send_plan_to_nav
            """, logger: logger)
        for try await (person, pdf) in rows.decode((String, ByteBuffer).self) { return (person, pdf) }
        return nil
    }
}
