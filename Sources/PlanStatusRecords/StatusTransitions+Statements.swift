import Domain
import Foundation
import PostgresNIO
import Storage

extension StatusTransitions {
    /// One `UPDATE … WHERE <allowed states> RETURNING …` per kind of event, which NOTIFYs
    /// `plan_status` in the same statement when the row it changed reached a final state.
    static func statement(for event: StatusStepEvent) -> PostgresQuery {
        let update = transition(for: event)
        return PostgresQuery(
            unsafeSQL: """
                WITH changed AS (\(update.sql))
                SELECT changed.plan_uuid, changed.state, changed.error_type, changed.received_at, changed.submitted_via FROM changed
                \(notifyingFinal)
                """, binds: update.binds)
    }

    /// Joined to `changed` (the rows an UPDATE returned): `NOTIFY plan_status, '<uuid>:<state>'`
    /// for a row that reached a final state. Only a request waiting for its plan's outcome
    /// listens, and it wakes only for a final state: a NOTIFY for the steps between (two or three
    /// per plan) cost a commit on PostgreSQL's one notification lock and a wake-up of the
    /// listening session each, for nothing.
    static let notifyingFinal = """
        LEFT JOIN LATERAL (
            SELECT pg_notify('\(PlanStatusNotification.channel)', changed.plan_uuid::text || ':' || changed.state)
            WHERE changed.state IN (\(PlanState.allCases.filter(\.isFinal).map { "'\($0.rawValue)'" }.joined(separator: ", ")))
        ) AS notified ON true
        """

    /// A step's record (`processed_step`, the first one wins) and `event`'s change with its
    /// NOTIFY (``notifyingFinal``), in one statement. Returns one row: the stored result (NULL only when a record
    /// another transaction committed meanwhile is not in this statement's snapshot), and the
    /// row's state, error type and receipt when it changed (NULLs when not).
    /// A `companion` (``Storage/RecordCompanion``) is one more CTE, written only with this
    /// statement's own record.
    static func recordingStatement(
        step: String, result: String, for uuid: UUID, applying event: StatusStepEvent, with companion: RecordCompanion? = nil
    ) -> PostgresQuery {
        let update = transition(for: event)
        var binds = update.binds
        let (stepBind, resultBind) = (binds.count + 1, binds.count + 2)
        binds.append(step)
        binds.append(result)
        var companionCTE = ""
        if let companion {
            companionCTE = ", companion AS (\(companion.statement(binds.count + 1)))"
            companion.bind(&binds)
        }
        return PostgresQuery(
            unsafeSQL: """
                WITH recorded AS (
                    INSERT INTO processed_step (plan_uuid, step, result) VALUES ($1, $\(stepBind), $\(resultBind)::jsonb)
                    ON CONFLICT (plan_uuid, step) DO NOTHING RETURNING result::text
                ), changed AS (\(update.sql))\(companionCTE)
                SELECT coalesce((SELECT result FROM recorded),
                                (SELECT result::text FROM processed_step WHERE plan_uuid = $1 AND step = $\(stepBind))) AS stored,
                       change.state, change.error_type, change.received_at
                FROM (SELECT 1) AS one LEFT JOIN (
                    SELECT changed.state, changed.error_type, changed.received_at FROM changed
                    \(notifyingFinal)
                ) AS change ON true
                """, binds: binds)
    }

    /// The `UPDATE` that moves the row for `event`, if the row's states allow it.
    private static func transition(for event: StatusStepEvent) -> PostgresQuery {
        let uuid = event.uuid
        // Only catalogue texts are stored: the status resource and public events show them.
        let problem = event.error.map { PublicProblems.sanitized($0, channel: event.channel) }
        let (errorType, errorMessage) = (problem?.type.rawValue, problem?.message)
        switch event.kind {
        case .verified: return verified(uuid)
        case .rejected: return rejected(uuid, errorType, errorMessage)
        case .failed: return failed(uuid, errorType, errorMessage)
        case .waiting: return waiting(uuid, channel: event.channel)
        case .reopened: return reopened(uuid, channel: event.channel)
        case .channelSent, .channelFailed, .channelRetrying: return channelNews(event, errorType, errorMessage)
        }
    }

    /// The plan's state once no channel is pending any more: COMPLETED when a channel got the
    /// plan, FAILED when every requested channel failed (or none was requested). `nav` and `gp`
    /// are the channels' states as SQL (a column, or the literal a SET is about to write: SET
    /// expressions see the old row).
    static func settled(nav: String = "nav_state", gp: String = "gp_state") -> String {
        """
        CASE WHEN \(nav) <> 'PENDING' AND \(gp) <> 'PENDING'
             THEN CASE WHEN 'SENT' IN (\(nav), \(gp)) OR (\(nav), \(gp)) = ('NOT_REQUESTED', 'NOT_REQUESTED')
                       THEN 'COMPLETED' ELSE 'FAILED' END
             ELSE 'IN_PROGRESS' END
        """
    }

    private static func verified(_ uuid: UUID) -> PostgresQuery {
        return PostgresQuery(
            unsafeSQL: """
                UPDATE plan_status SET state = \(settled()), waiting_since = NULL, updated_at = now(), revision = revision + 1
                WHERE plan_uuid = $1 AND state = 'RECEIVED' RETURNING \(Self.returning)
                """, binds: binds(uuid))
    }

    private static func rejected(_ uuid: UUID, _ errorType: String?, _ errorMessage: String?) -> PostgresQuery {
        return PostgresQuery(
            unsafeSQL: """
                UPDATE plan_status SET state = 'REJECTED', error_type = $2, error_message = $3, waiting_since = NULL,
                    updated_at = now(), revision = revision + 1
                WHERE plan_uuid = $1 AND state = 'RECEIVED' RETURNING \(Self.returning)
                """, binds: binds(uuid, errorType, errorMessage))
    }

    private static func failed(_ uuid: UUID, _ errorType: String?, _ errorMessage: String?) -> PostgresQuery {
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
    }

    private static func waiting(_ uuid: UUID, channel: DeliveryChannel?) -> PostgresQuery {
        // Set once per wait (a replay, or a second parked message of the step, changes
        // nothing); the step's own news clears it.
        guard let channel else {
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
    }

    private static func reopened(_ uuid: UUID, channel: DeliveryChannel?) -> PostgresQuery {
        // The only move back, and only by an operator's re-drive: what failed for a
        // transient reason (INTERNAL_SERVER_ERROR) is pending again; final answers such as
        // GENERAL_PRACTITIONER_NOT_FOUND stay.
        if let channel {
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
    }

    /// A channel's news implies the plan was verified: RECEIVED counts as in progress.
    private static func channelNews(_ event: StatusStepEvent, _ errorType: String?, _ errorMessage: String?) -> PostgresQuery {
        let uuid = event.uuid
        let prefix = event.channel == .generalPractitioner ? "gp" : "nav"
        let common = "WHERE plan_uuid = $1 AND state IN ('RECEIVED', 'IN_PROGRESS') AND \(prefix)_state = 'PENDING' RETURNING \(Self.returning)"
        switch event.kind {
        case .channelSent:
            // SET expressions see the old row: settle on the row as it will be.
            let after = prefix == "nav" ? settled(nav: "'SENT'") : settled(gp: "'SENT'")
            let journalpost = prefix == "nav" ? ", nav_journalpost_id = coalesce($2, nav_journalpost_id)" : ""
            return PostgresQuery(
                unsafeSQL: """
                    UPDATE plan_status SET \(prefix)_state = 'SENT', \(prefix)_updated_at = now(), \(prefix)_attempts = \(prefix)_attempts + 1\(journalpost),
                        \(prefix)_waiting_since = NULL,
                        state = \(after), updated_at = now(), revision = revision + 1
                    \(common)
                    """, binds: prefix == "nav" ? binds(uuid, event.journalpostID) : binds(uuid))
        case .channelFailed:
            let after = prefix == "nav" ? settled(nav: "'FAILED'") : settled(gp: "'FAILED'")
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

    private static func binds(_ uuid: UUID, _ texts: String?...) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1 + texts.count)
        bindings.append(uuid)
        for text in texts { bindings.append(text) }
        return bindings
    }
}
