import Domain
import Foundation
import Logging
import Metrics
import PostgresNIO
import Storage

/// Applies ``StatusStepEvent``s to `plan_status`. Every statement names the states it may move
/// from, so an event never moves a plan backwards and a replayed event changes nothing (no
/// row matches). Each change bumps `revision`; a change to a final state NOTIFYs `plan_status`
/// with the plan uuid in the same statement, so a request waiting for the outcome (the intake's
/// `PlanStatusListener`) wakes at commit; a plan of the event front door also gets its public
/// status event in the outbox.
///
/// The roles write their own outcomes here (``recording(_:for:frontDoor:as:)``: a step's
/// record and its status change in one statement); the status updater applies what older
/// versions still put on `followupplan.status`.
public struct StatusTransitions: Sendable {
    let postgres: PostgresClient
    let topics: EventTopics
    let metrics: StatusStageMetrics
    let wake: OutboxWake
    let logger: Logger

    /// `topics.publicStatus` names the topic of the public status events it writes to the outbox;
    /// `wake` is nudged when one is committed, for the outbox relay of the process.
    public init(
        postgres: PostgresClient, topics: EventTopics, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        wake: OutboxWake = .process, logger: Logger
    ) {
        self.postgres = postgres
        self.topics = topics
        self.metrics = StatusStageMetrics(factory: metricsFactory)
        self.wake = wake
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
        let (change, published) = try await postgres.transaction(logger: logger) { connection in try await applyChange(event, on: connection) }
        if published { wake.nudge() }
        return change
    }

    /// Applies `event` as a role's own outcome: ``applyChange(_:)`` with the stage metrics.
    @discardableResult
    public func applyOutcome(_ event: StatusStepEvent) async throws -> Change? {
        let change = try await applyChange(event)
        if let change { metrics.record(event, change) }
        return change
    }

    /// How a role's step records its result together with the status change it makes
    /// (``Storage/ProcessedSteps/once(_:for:as:recorded:recording:_:)``): `event` gives the change
    /// for a result (JSON text). One statement: the record, the change, a NOTIFY when the change
    /// is to a final state; for a plan of
    /// the event front door one transaction, with its public status event. A step recorded by an
    /// earlier delivery applies its change again (a replay changes nothing; it matters only for a
    /// record an older version wrote, whose status event went to the status topic).
    /// `companion` gives, for a result, a write that goes in the same statement when the record
    /// is this delivery's (``Storage/RecordCompanion``), or nil.
    public func recording(
        _ step: String, for uuid: UUID, frontDoor: PlanSubmission.FrontDoor,
        companion: (@Sendable (String) -> RecordCompanion?)? = nil,
        as event: @escaping @Sendable (String) throws -> StatusStepEvent
    ) -> StepRecording {
        StepRecording(
            record: { result in
                try await record(step, result: result, for: uuid, frontDoor: frontDoor, applying: try event(result), with: companion?(result))
            },
            recordedBefore: { result in try await applyOutcome(try event(result)) })
    }

    /// Records `result` of `step` and applies `event` (and writes `companion`, when the record is
    /// ours); the stored result (another delivery's when it recorded first: then `event` changes
    /// nothing, its own change having come first).
    func record(
        _ step: String, result: String, for uuid: UUID, frontDoor: PlanSubmission.FrontDoor, applying event: StatusStepEvent,
        with companion: RecordCompanion? = nil
    ) async throws -> String {
        let query = Self.recordingStatement(step: step, result: result, for: uuid, applying: event, with: companion)
        let (stored, change): (String, Change?)
        if frontDoor == .event {
            (stored, change) = try await postgres.transaction(logger: logger) { connection in
                let outcome = try Self.readRecording(try await connection.prepared(query, logger: logger), result)
                if outcome.change != nil { try await publishStatusEvent(uuid, on: connection) }
                return outcome
            }
            if change != nil { wake.nudge() }  // committed, with its public status event
        } else {
            (stored, change) = try Self.readRecording(try await postgres.prepared(query, logger: logger), result)
        }
        if let change { metrics.record(event, change) }
        return stored
    }

    private static func readRecording(_ rows: [PostgresRow], _ result: String) throws -> (stored: String, change: Change?) {
        for row in rows {
            let (stored, state, errorType, receivedAt) = try row.decode((String?, String?, String?, Date?).self)
            let change = state.map { state in
                Change(
                    state: PlanState(rawValue: state) ?? .received, errorType: errorType.flatMap(ErrorType.init(rawValue:)),
                    receivedAt: receivedAt ?? Date())
            }
            return (stored ?? result, change)
        }
        return (result, nil)
    }

    /// Applies `events` (of distinct plans) in one transaction: one commit for all, one NOTIFY
    /// per plan that reached a final state. All or none: on an error nothing is applied.
    public func applyChanges(_ events: [StatusStepEvent]) async throws -> [Change?] {
        let (changes, published) = try await postgres.transaction(logger: logger) { connection in
            var changes: [Change?] = []
            var published = false
            for event in events {
                let (change, publishedOne) = try await applyChange(event, on: connection)
                changes.append(change)
                published = published || publishedOne
            }
            return (changes, published)
        }
        if published { wake.nudge() }
        return changes
    }

    /// The change, and whether it wrote a public status event to the outbox.
    private func applyChange(_ event: StatusStepEvent, on connection: PostgresConnection) async throws -> (Change?, published: Bool) {
        var change: Change?
        var fromEvent = false
        let rows = try await connection.query(Self.statement(for: event), logger: logger).decode((UUID, String, String?, Date, String).self)
        for try await (_, state, errorType, receivedAt, submittedVia) in rows {
            change = Change(
                state: PlanState(rawValue: state) ?? .received, errorType: errorType.flatMap(ErrorType.init(rawValue:)), receivedAt: receivedAt)
            fromEvent = submittedVia == PlanSubmission.FrontDoor.event.rawValue
        }
        // The statement NOTIFYed waiters of a change to a final state (`PlanStatusNotification.payload`'s form).
        let published = change != nil && fromEvent
        if published { try await publishStatusEvent(event.uuid, on: connection) }
        return (change, published)
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
