import Domain
import Foundation
import PlanPdf
import PostgresNIO
import Storage

extension GpChannelHandler {
    /// The plan as the channel sends it, read together with this attempt's note
    /// (``GpChannelHandler/sendingNote``), written in the same statement when the attempt will
    /// go straight to isdialogmelding (#28: the note was a statement and a transaction of its
    /// own): the PDF is stored, the channel's outcome is not recorded, and no earlier attempt
    /// left a note. Else nothing is written, and the attempt notes itself before its call as
    /// before (``noteAttempt(_:)``): after building the PDF, so that a build that fails leaves no
    /// note behind to be taken later for a call whose answer was lost.
    struct ReadWithNote {
        /// The plan, its PDF and its steps as they were before this statement.
        var plan: StoredPlan
        /// Whether this statement wrote the attempt's note.
        var noted: Bool
    }

    /// ``ReadWithNote`` of plan `uuid`, noting `note` (the note's JSON text); nil when there is no such plan.
    func readNotingAttempt(_ uuid: UUID, note: String) async throws -> ReadWithNote? {
        let rows = try await plans.postgres.prepared(
            """
            WITH noted AS (
                INSERT INTO processed_step (plan_uuid, step, result)
                SELECT \(uuid), \(Self.sendingNote), \(note)::jsonb
                WHERE EXISTS (SELECT 1 FROM plan_pdf WHERE plan_uuid = \(uuid))
                  AND NOT EXISTS (SELECT 1 FROM processed_step WHERE plan_uuid = \(uuid) AND step = \(Self.step))
                  AND EXISTS (SELECT 1 FROM followup_plan WHERE uuid = \(uuid))
                ON CONFLICT (plan_uuid, step) DO NOTHING RETURNING 1
            )
            SELECT \(unescaped: PlanPdfStore.planColumns), EXISTS (SELECT 1 FROM noted) AS noted FROM followup_plan p WHERE uuid = \(uuid)
            """, logger: logger)
        for row in rows {
            let cells = row.makeRandomAccess()
            return ReadWithNote(plan: try PlanPdfStore.storedPlan(cells, uuid: uuid), noted: try cells["noted"].decode(Bool.self))
        }
        return nil
    }
}
