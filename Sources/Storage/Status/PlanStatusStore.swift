import Domain
import Foundation
import Logging
import PostgresNIO

/// Applies ``StatusEvent``s to `plan_status`. Every statement names the states it may move
/// from, so an event never moves a plan backwards and a replayed event changes nothing (no
/// row matches). Each change bumps `revision` and NOTIFYs `plan_status` with the plan uuid
/// in the same transaction, so a request waiting for the outcome (``PlanStatusListener``) wakes
/// at commit; a plan of the event front door also gets its public status event in the outbox.
public struct PlanStatusStore: Sendable {
    /// The channel `LISTEN`ers wait on; the payload is `<plan uuid>:<state>`
    /// (``notification(_:_:)``), so that a waiter reads the row only once it is final.
    public static let notificationChannel = "plan_status"

    /// The payload of a change's notification.
    public static func notification(_ uuid: UUID, _ state: PlanState) -> String {
        "\(uuid.lowercasedString):\(state.rawValue)"
    }

    /// The plan and its new state from a notification's payload; a bare uuid (an older
    /// writer) has no state: it may be anything.
    public static func parseNotification(_ payload: String) -> (uuid: UUID, state: PlanState?)? {
        let parts = payload.split(separator: ":", maxSplits: 1)
        guard let first = parts.first, let uuid = UUID(uuidString: String(first)) else { return nil }
        return (uuid, parts.count == 2 ? PlanState(rawValue: String(parts[1])) : nil)
    }

    let postgres: PostgresClient
    let topics: EventTopics
    let logger: Logger

    /// `topics.publicStatus` names the topic of the public status events it writes to the outbox.
    public init(postgres: PostgresClient, topics: EventTopics, logger: Logger) {
        self.postgres = postgres
        self.topics = topics
        self.logger = logger
    }

    /// What a change left the row at, for metrics: the plan's state, its error type, and when it
    /// was received (stage latencies are measured from there).
    public struct Change: Sendable, Equatable {
        public var state: PlanState
        public var errorType: ErrorType?
        public var receivedAt: Date
    }

    /// What every transition statement returns (the front door, so that only event plans pay
    /// for the public status event's read).
    static let returning =
        "plan_uuid, state, error_type, received_at, (SELECT submitted_via FROM followup_plan p WHERE p.uuid = plan_status.plan_uuid)"

    /// Applies `event`; true when the row changed, false for a replay, an event its plan has
    /// moved past, or an unknown plan.
    @discardableResult
    public func apply(_ event: StatusEvent) async throws -> Bool {
        try await applyChange(event) != nil
    }

    /// Applies `event`; the row's new state when it changed, nil when it did not.
    public func applyChange(_ event: StatusEvent) async throws -> Change? {
        try await postgres.transaction(logger: logger) { connection in try await applyChange(event, on: connection) }
    }

    /// Applies `events` (of distinct plans) in one transaction: one commit for all, one NOTIFY
    /// per changed plan. All or none: on an error nothing is applied.
    public func applyChanges(_ events: [StatusEvent]) async throws -> [Change?] {
        try await postgres.transaction(logger: logger) { connection in
            var changes: [Change?] = []
            for event in events { changes.append(try await applyChange(event, on: connection)) }
            return changes
        }
    }

    private func applyChange(_ event: StatusEvent, on connection: PostgresConnection) async throws -> Change? {
        var change: Change?
        var fromEvent = false
        let rows = try await connection.query(Self.statement(for: event), logger: logger).decode((UUID, String, String?, Date, String).self)
        for try await (_, state, errorType, receivedAt, submittedVia) in rows {
            change = Change(
                state: PlanState(rawValue: state) ?? .received, errorType: errorType.flatMap(ErrorType.init(rawValue:)), receivedAt: receivedAt)
            fromEvent = submittedVia == PlanSubmission.FrontDoor.event.rawValue
        }
        if let change {
            try await connection.query(
                "SELECT pg_notify(\(Self.notificationChannel), \(Self.notification(event.uuid, change.state)))", logger: logger)
            if fromEvent { try await publishStatusEvent(event.uuid, on: connection) }
        }
        return change
    }

    /// The plan's status row with the organisation it was submitted for; nil for an unknown plan.
    public func read(_ uuid: UUID) async throws -> PlanStatusRecord? {
        try await Self.record(uuid, from: try await postgres.query(Self.readQuery(uuid), logger: logger))
    }

    static func readQuery(_ uuid: UUID) -> PostgresQuery {
        """
        SELECT p.employer_org_number, p.submitted_via, s.state, s.error_type, s.error_message,
               s.nav_state, s.nav_updated_at, s.nav_attempts, s.nav_journalpost_id, s.nav_error_type, s.nav_error_message,
               s.gp_state, s.gp_updated_at, s.gp_attempts, s.gp_error_type, s.gp_error_message,
               s.received_at, s.updated_at, s.revision, s.waiting_since, s.nav_waiting_since, s.gp_waiting_since
        FROM plan_status s JOIN followup_plan p ON p.uuid = s.plan_uuid
        WHERE s.plan_uuid = \(uuid)
        """
    }

    static func record(_ uuid: UUID, from rows: PostgresRowSequence) async throws -> PlanStatusRecord? {
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func text(_ column: String) throws -> String? { try cells[column].decode(String?.self) }
            func date(_ column: String) throws -> Date? { try cells[column].decode(Date?.self) }
            // Read through the catalogue too: a row written before it (or by hand) shows no internals.
            func problem(_ prefix: String) throws -> ApiError? {
                guard let type = try text("\(prefix)error_type").flatMap(ErrorType.init(rawValue:)) else { return nil }
                let channel: DeliveryChannel? = prefix == "nav_" ? .nav : prefix == "gp_" ? .generalPractitioner : nil
                let stored = StatusEvent.Problem(type: type, message: try text("\(prefix)error_message") ?? "")
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

    /// A plan that came through the event front door: its publisher follows it on
    /// the public status topic. The event goes to the outbox in the change's own transaction,
    /// so it is published exactly when the change commits, never lost and never for a change
    /// that rolled back.
    private func publishStatusEvent(_ uuid: UUID, on connection: PostgresConnection) async throws {
        guard let record = try await Self.record(uuid, from: try await connection.query(Self.readQuery(uuid), logger: logger)) else { return }
        let headers = OrderedJSON.object([("event-type", PublicStatusEvent.eventType)])
        try await connection.query(
            """
            INSERT INTO outbox (topic, message_key, payload, headers)
            VALUES (\(topics.publicStatus), \(uuid.lowercasedString), \(PublicStatusEvent.json(record))::jsonb, \(headers)::jsonb)
            """, logger: logger)
    }

    /// One `UPDATE … WHERE <allowed states> RETURNING plan_uuid` per kind of event.
    static func statement(for event: StatusEvent) -> PostgresQuery {
        let uuid = event.uuid
        // Only catalogue texts are stored: the status resource and public events show them.
        let problem = event.error.map { PublicProblems.sanitized($0, channel: event.channel) }
        let errorType = problem?.type.rawValue
        let errorMessage = problem?.message
        // When no channel is pending any more, the plan is done: COMPLETED when a channel got
        // the plan, FAILED when every requested channel failed (or none was requested).
        let settle = """
            CASE WHEN nav_state <> 'PENDING' AND gp_state <> 'PENDING'
                 THEN CASE WHEN 'SENT' IN (nav_state, gp_state) OR (nav_state, gp_state) = ('NOT_REQUESTED', 'NOT_REQUESTED')
                           THEN 'COMPLETED' ELSE 'FAILED' END
                 ELSE 'IN_PROGRESS' END
            """
        switch event.kind {
        case .verified:
            return PostgresQuery(
                unsafeSQL: """
                    UPDATE plan_status SET state = \(settle), waiting_since = NULL, updated_at = now(), revision = revision + 1
                    WHERE plan_uuid = $1 AND state = 'RECEIVED' RETURNING \(Self.returning)
                    """, binds: binds(uuid))
        case .rejected:
            return PostgresQuery(
                unsafeSQL: """
                    UPDATE plan_status SET state = 'REJECTED', error_type = $2, error_message = $3, waiting_since = NULL,
                        updated_at = now(), revision = revision + 1
                    WHERE plan_uuid = $1 AND state = 'RECEIVED' RETURNING \(Self.returning)
                    """, binds: binds(uuid, errorType, errorMessage))
        case .failed:
            return PostgresQuery(
                unsafeSQL: """
                    UPDATE plan_status SET state = 'FAILED', error_type = $2, error_message = $3,
                        nav_state = CASE WHEN nav_state = 'PENDING' THEN 'FAILED' ELSE nav_state END,
                        nav_error_type = CASE WHEN nav_state = 'PENDING' THEN $2 ELSE nav_error_type END,
                        nav_error_message = CASE WHEN nav_state = 'PENDING' THEN $3 ELSE nav_error_message END,
                        gp_state = CASE WHEN gp_state = 'PENDING' THEN 'FAILED' ELSE gp_state END,
                        gp_error_type = CASE WHEN gp_state = 'PENDING' THEN $2 ELSE gp_error_type END,
                        gp_error_message = CASE WHEN gp_state = 'PENDING' THEN $3 ELSE gp_error_message END,
                        waiting_since = NULL, nav_waiting_since = NULL, gp_waiting_since = NULL,
                        updated_at = now(), revision = revision + 1
                    WHERE plan_uuid = $1 AND state IN ('RECEIVED', 'IN_PROGRESS') RETURNING \(Self.returning)
                    """, binds: binds(uuid, errorType, errorMessage))
        case .waiting:
            // Set once per wait (a replay, or a second parked message of the step, changes
            // nothing); the step's own news clears it.
            guard let channel = event.channel else {
                return PostgresQuery(
                    unsafeSQL: """
                        UPDATE plan_status SET waiting_since = now(), updated_at = now(), revision = revision + 1
                        WHERE plan_uuid = $1 AND state = 'RECEIVED' AND waiting_since IS NULL RETURNING \(Self.returning)
                        """, binds: binds(uuid))
            }
            let prefix = channel == .generalPractitioner ? "gp" : "nav"
            return PostgresQuery(
                unsafeSQL: """
                    UPDATE plan_status SET \(prefix)_waiting_since = now(),
                        state = CASE WHEN state = 'RECEIVED' THEN 'IN_PROGRESS' ELSE state END, updated_at = now(), revision = revision + 1
                    WHERE plan_uuid = $1 AND state IN ('RECEIVED', 'IN_PROGRESS') AND \(prefix)_state = 'PENDING' AND \(prefix)_waiting_since IS NULL
                    RETURNING \(Self.returning)
                    """, binds: binds(uuid))
        case .reopened:
            // The only move back, and only by an operator's re-drive: what failed for a
            // transient reason (INTERNAL_SERVER_ERROR) is pending again; final answers such as
            // GENERAL_PRACTITIONER_NOT_FOUND stay.
            if let channel = event.channel {
                let prefix = channel == .generalPractitioner ? "gp" : "nav"
                return PostgresQuery(
                    unsafeSQL: """
                        UPDATE plan_status SET \(prefix)_state = 'PENDING', \(prefix)_error_type = NULL, \(prefix)_error_message = NULL,
                            \(prefix)_updated_at = now(), state = 'IN_PROGRESS', error_type = NULL, error_message = NULL,
                            updated_at = now(), revision = revision + 1
                        WHERE plan_uuid = $1 AND \(prefix)_state = 'FAILED' AND \(prefix)_error_type = 'INTERNAL_SERVER_ERROR'
                        RETURNING \(Self.returning)
                        """, binds: binds(uuid))
            }
            return PostgresQuery(
                unsafeSQL: """
                    UPDATE plan_status SET state = 'RECEIVED', error_type = NULL, error_message = NULL,
                        nav_state = CASE WHEN nav_state = 'FAILED' AND nav_error_type = 'INTERNAL_SERVER_ERROR' THEN 'PENDING' ELSE nav_state END,
                        nav_error_message = CASE WHEN nav_state = 'FAILED' AND nav_error_type = 'INTERNAL_SERVER_ERROR' THEN NULL ELSE nav_error_message END,
                        nav_error_type = CASE WHEN nav_state = 'FAILED' AND nav_error_type = 'INTERNAL_SERVER_ERROR' THEN NULL ELSE nav_error_type END,
                        gp_state = CASE WHEN gp_state = 'FAILED' AND gp_error_type = 'INTERNAL_SERVER_ERROR' THEN 'PENDING' ELSE gp_state END,
                        gp_error_message = CASE WHEN gp_state = 'FAILED' AND gp_error_type = 'INTERNAL_SERVER_ERROR' THEN NULL ELSE gp_error_message END,
                        gp_error_type = CASE WHEN gp_state = 'FAILED' AND gp_error_type = 'INTERNAL_SERVER_ERROR' THEN NULL ELSE gp_error_type END,
                        updated_at = now(), revision = revision + 1
                    WHERE plan_uuid = $1 AND state = 'FAILED' AND error_type = 'INTERNAL_SERVER_ERROR'
                    RETURNING \(Self.returning)
                    """, binds: binds(uuid))
        case .channelSent, .channelFailed, .channelRetrying:
            let prefix = event.channel == .generalPractitioner ? "gp" : "nav"
            // A channel's news implies the plan was verified: RECEIVED counts as in progress.
            let common = "WHERE plan_uuid = $1 AND state IN ('RECEIVED', 'IN_PROGRESS') AND \(prefix)_state = 'PENDING' RETURNING \(Self.returning)"
            switch event.kind {
            case .channelSent:
                // SET expressions see the old row: settle on the row as it will be.
                let after = settle.replacingOccurrences(of: "\(prefix)_state", with: "'SENT'")
                let journalpost = prefix == "nav" ? ", nav_journalpost_id = coalesce($2, nav_journalpost_id)" : ""
                return PostgresQuery(
                    unsafeSQL: """
                        UPDATE plan_status SET \(prefix)_state = 'SENT', \(prefix)_updated_at = now(), \(prefix)_attempts = \(prefix)_attempts + 1\(journalpost),
                            \(prefix)_waiting_since = NULL,
                            state = \(after), updated_at = now(), revision = revision + 1
                        \(common)
                        """, binds: prefix == "nav" ? binds(uuid, event.journalpostID) : binds(uuid))
            case .channelFailed:
                let after = settle.replacingOccurrences(of: "\(prefix)_state", with: "'FAILED'")
                return PostgresQuery(
                    unsafeSQL: """
                        UPDATE plan_status SET \(prefix)_state = 'FAILED', \(prefix)_updated_at = now(), \(prefix)_attempts = \(prefix)_attempts + 1,
                            \(prefix)_error_type = $2, \(prefix)_error_message = $3, \(prefix)_waiting_since = NULL,
                            state = \(after),
                            error_type = CASE WHEN \(after) = 'FAILED' THEN $2 ELSE error_type END,
                            error_message = CASE WHEN \(after) = 'FAILED' THEN $3 ELSE error_message END,
                            updated_at = now(), revision = revision + 1
                        \(common)
                        """, binds: binds(uuid, errorType, errorMessage))
            default:
                return PostgresQuery(
                    unsafeSQL: """
                        UPDATE plan_status SET \(prefix)_attempts = \(prefix)_attempts + 1, \(prefix)_updated_at = now(),
                            state = CASE WHEN state = 'RECEIVED' THEN 'IN_PROGRESS' ELSE state END,
                            updated_at = now(), revision = revision + 1
                        \(common)
                        """, binds: binds(uuid))
            }
        }
    }

    private static func binds(_ uuid: UUID, _ texts: String?...) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1 + texts.count)
        bindings.append(uuid)
        for text in texts { bindings.append(text) }
        return bindings
    }
}
