import Domain
import Foundation
import Logging
import PlanStatusRecords
import PostgresNIO
import Storage

/// Applies ``StatusStepEvent``s to `plan_status`. Every statement names the states it may move
/// from, so an event never moves a plan backwards and a replayed event changes nothing (no
/// row matches). Each change bumps `revision` and NOTIFYs `plan_status` with the plan uuid
/// in the same transaction, so a request waiting for the outcome (the intake's `PlanStatusListener`) wakes
/// at commit; a plan of the event front door also gets its public status event in the outbox.
public struct StatusTransitions: Sendable {
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
        "plan_uuid, state, error_type, received_at, (SELECT submitted_via FROM followup_plan p WHERE p.uuid = plan_status.plan_uuid) AS submitted_via"

    /// Applies `event`; true when the row changed, false for a replay, an event its plan has
    /// moved past, or an unknown plan.
    @discardableResult
    public func apply(_ event: StatusStepEvent) async throws -> Bool {
        try await applyChange(event) != nil
    }

    /// Applies `event`; the row's new state when it changed, nil when it did not.
    public func applyChange(_ event: StatusStepEvent) async throws -> Change? {
        try await postgres.transaction(logger: logger) { connection in try await applyChange(event, on: connection) }
    }

    /// Applies `events` (of distinct plans) in one transaction: one commit for all, one NOTIFY
    /// per changed plan. All or none: on an error nothing is applied.
    public func applyChanges(_ events: [StatusStepEvent]) async throws -> [Change?] {
        try await postgres.transaction(logger: logger) { connection in
            var changes: [Change?] = []
            for event in events { changes.append(try await applyChange(event, on: connection)) }
            return changes
        }
    }

    private func applyChange(_ event: StatusStepEvent, on connection: PostgresConnection) async throws -> Change? {
        var change: Change?
        var fromEvent = false
        let rows = try await connection.query(Self.statement(for: event), logger: logger).decode((UUID, String, String?, Date, String).self)
        for try await (_, state, errorType, receivedAt, submittedVia) in rows {
            change = Change(
                state: PlanState(rawValue: state) ?? .received, errorType: errorType.flatMap(ErrorType.init(rawValue:)), receivedAt: receivedAt)
            fromEvent = submittedVia == PlanSubmission.FrontDoor.event.rawValue
        }
        // The statement NOTIFYed waiters of the change (`PlanStatusNotification.payload`'s form).
        if change != nil && fromEvent { try await publishStatusEvent(event.uuid, on: connection) }
        return change
    }

    /// A plan that came through the event front door: its publisher follows it on
    /// the public status topic. The event goes to the outbox in the change's own transaction,
    /// so it is published exactly when the change commits, never lost and never for a change
    /// that rolled back.
    private func publishStatusEvent(_ uuid: UUID, on connection: PostgresConnection) async throws {
        guard let record = try await PlanStatusReader.record(uuid, from: try await connection.query(PlanStatusReader.query(uuid), logger: logger))
        else { return }
        let headers = MessageEnvelope(eventType: .publicStatus).outboxJSON
        try await connection.query(
            """
            INSERT INTO outbox (topic, message_key, payload, headers)
            VALUES (\(topics.publicStatus), \(uuid.lowercasedString), \(PublicStatusEvent(record).jsonBody)::jsonb, \(headers)::jsonb)
            """, logger: logger)
    }
}
