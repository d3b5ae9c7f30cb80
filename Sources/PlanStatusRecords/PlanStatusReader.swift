import Domain
import Foundation
import Logging
import PostgresNIO

/// Reads a plan's `plan_status` row as the contract shows it (``PlanStatusRecord``): for the
/// status query, the intake's answer once the outcome is known, and the public status event
/// the status updater writes with a change.
public struct PlanStatusReader: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The plan's status row with the organisation it was submitted for; nil for an unknown plan.
    public func read(_ uuid: UUID) async throws -> PlanStatusRecord? {
        try await Self.record(uuid, from: try await postgres.query(Self.query(uuid), logger: logger))
    }

    /// The row and its plan's organisation and front door, for ``record(_:from:)``.
    public static func query(_ uuid: UUID) -> PostgresQuery {
        """
        SELECT p.employer_org_number, p.submitted_via, s.state, s.error_type, s.error_message,
               s.nav_state, s.nav_updated_at, s.nav_attempts, s.nav_journalpost_id, s.nav_error_type, s.nav_error_message,
               s.gp_state, s.gp_updated_at, s.gp_attempts, s.gp_error_type, s.gp_error_message,
               s.received_at, s.updated_at, s.revision, s.waiting_since, s.nav_waiting_since, s.gp_waiting_since
        FROM plan_status s JOIN followup_plan p ON p.uuid = s.plan_uuid
        WHERE s.plan_uuid = \(uuid)
        """
    }

    /// The record in `rows` (of ``query(_:)``), nil when there is none.
    public static func record(_ uuid: UUID, from rows: PostgresRowSequence) async throws -> PlanStatusRecord? {
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func text(_ column: String) throws -> String? { try cells[column].decode(String?.self) }
            func date(_ column: String) throws -> Date? { try cells[column].decode(Date?.self) }
            // Read through the catalogue too: a row written before it (or by hand) shows no internals.
            func problem(_ prefix: String) throws -> ApiError? {
                guard let type = try text("\(prefix)error_type").flatMap(ErrorType.init(rawValue:)) else { return nil }
                let channel: DeliveryChannel? = prefix == "nav_" ? .nav : prefix == "gp_" ? .generalPractitioner : nil
                let stored = StatusStepEvent.Problem(type: type, message: try text("\(prefix)error_message") ?? "")
                let shown = PublicProblems.sanitized(stored, channel: channel)
                return .recorded(shown.type, message: shown.message)
            }
            func channel(_ prefix: String) throws -> PlanStatusRecord.Channel {
                PlanStatusRecord.Channel(
                    state: ChannelState(rawValue: try text("\(prefix)_state") ?? "") ?? .pending, updatedAt: try date("\(prefix)_updated_at"),
                    attempts: try cells["\(prefix)_attempts"].decode(Int.self),
                    journalpostID: prefix == "nav" ? try text("nav_journalpost_id") : nil, error: try problem("\(prefix)_"),
                    waitingSince: try date("\(prefix)_waiting_since"))
            }
            return PlanStatusRecord(
                uuid: uuid, employerOrgNumber: try text("employer_org_number") ?? "",
                frontDoor: PlanSubmission.FrontDoor(rawValue: try text("submitted_via") ?? "") ?? .http,
                state: PlanState(rawValue: try text("state") ?? "") ?? .received, error: try problem(""),
                nav: try channel("nav"), generalPractitioner: try channel("gp"),
                receivedAt: try date("received_at") ?? Date(), updatedAt: try date("updated_at") ?? Date(),
                revision: try cells["revision"].decode(Int64.self), waitingSince: try date("waiting_since"))
        }
        return nil
    }
}
