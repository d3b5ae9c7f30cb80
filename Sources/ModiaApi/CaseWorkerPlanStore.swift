import Foundation
import Logging
import PostgresNIO

/// The plans as case workers see them: those that were to go to NAV (`send_plan_to_nav`) and
/// have their PDF (`plan_pdf`, built once by the first channel; the document the journal post
/// holds). Plans only to the GP, and plans not yet through the lookup (no PDF), never appear,
/// as in the original's `VeilederDao.kt`. Like that query, both kinds of plan: ours (with the
/// previous service's API plans, imported as ours) and the previous service's Altinn-channel
/// plans (`legacy_altinn_plan`, by `lps_fnr`, `should_send_to_nav` and a PDF).
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
            SELECT uuid::text, fnr, virksomhetsnummer,
                   to_char(opprettet AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                   to_char(sist_endret AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD"T"HH24:MI:SS.US')
            FROM (
                SELECT p.uuid, p.employee_identification_number AS fnr, p.employer_org_number AS virksomhetsnummer,
                       p.created_at AS opprettet, s.updated_at AS sist_endret
                FROM followup_plan p
                JOIN plan_pdf d ON d.plan_uuid = p.uuid
                JOIN plan_status s ON s.plan_uuid = p.uuid
                WHERE p.employee_identification_number = \(person) AND p.send_plan_to_nav
                UNION ALL
                SELECT a.uuid, a.lps_fnr, a.orgnummer, a.created, a.last_changed
                FROM legacy_altinn_plan a
                WHERE a.lps_fnr = \(person) AND a.should_send_to_nav AND a.pdf IS NOT NULL
            ) plans
            ORDER BY sist_endret DESC, uuid
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
            UNION ALL
            SELECT a.lps_fnr, a.pdf FROM legacy_altinn_plan a
            WHERE a.uuid = \(uuid) AND a.should_send_to_nav AND a.pdf IS NOT NULL
            """, logger: logger)
        for try await (person, pdf) in rows.decode((String, ByteBuffer).self) { return (person, pdf) }
        return nil
    }
}
