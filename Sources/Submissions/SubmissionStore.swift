import Domain
import Foundation
import Logging
import PostgresNIO
import Storage

/// Writes a submitted plan: the plan row, its `RECEIVED` status row and the outbox row of its
/// `followupplan.received` event, atomically.
///
/// The three inserts (four with an `Idempotency-Key`) are one SQL statement of data-modifying
/// CTEs: one statement is one transaction in PostgreSQL, and it costs one round trip instead of
/// five (`BEGIN`, three inserts, `COMMIT`). Foreign keys are checked at the end of the
/// statement, so the order of the CTEs does not matter to them.
public struct SubmissionStore: Sendable {
    /// What storing a submission did.
    public enum Outcome: Sendable, Equatable {
        /// A new plan was stored.
        case stored(UUID)
        /// The organisation already used this `Idempotency-Key` for the same plan: nothing new
        /// was stored; the answer is the first plan's.
        case alreadyStored(UUID)
        /// The organisation already used this key for a different plan: nothing was stored.
        case keyUsedForAnotherPlan(UUID)
    }

    let postgres: PostgresClient
    let topics: EventTopics
    let wake: OutboxWake
    let logger: Logger

    /// `topics.received` names the topic of the outbox event a stored plan gets; `wake` is
    /// nudged when one is committed, for the outbox relay of the process.
    public init(postgres: PostgresClient, topics: EventTopics, wake: OutboxWake = .process, logger: Logger) {
        self.postgres = postgres
        self.topics = topics
        self.wake = wake
        self.logger = logger
    }

    /// Stores `submission` with its status and outbox rows, or, when `idempotency` names a key
    /// the same LPS used before for the same employer (through the same front door), stores
    /// nothing and says which plan has it.
    /// `callID` travels with the event as a header, so logs of later roles can be joined.
    ///
    /// With `connectionWait`, throws ``ConnectionWaitExceeded`` (nothing sent, nothing stored)
    /// when no connection is free within it; the statement itself is never cut short.
    public func store(
        _ submission: PlanSubmission, idempotency: IdempotencyClaim?, callID: String?, traceHeaders: [(String, String)] = [],
        connectionWait: Duration = .seconds(60)
    ) async throws -> Outcome {
        let query = Self.insertQuery(
            submission, idempotency: idempotency, callID: callID, traceHeaders: traceHeaders, outboxTopic: topics.received)
        return try await postgres.withConnection(leasedWithin: connectionWait) { [logger] connection in
            var inserted = 0
            for row in try await connection.prepared(query, logger: logger) { inserted = try row.decode(Int.self) }
            if inserted == 1 {
                wake.nudge()  // committed: the statement is its own transaction
                return .stored(submission.uuid)
            }

            // Only an idempotency conflict inserts nothing: the key's row exists (its transaction
            // committed before ours could insert, or ON CONFLICT would have waited for it).
            guard let idempotency else { throw SubmissionStoreError.nothingInserted }
            let existing = try await connection.query(
                """
                SELECT plan_uuid, request_sha256 FROM idempotency_key
                WHERE organization_number = \(submission.employerOrgNumber) AND lps_org_number = \(submission.lpsOrgNumber)
                    AND front_door = \(submission.frontDoor.rawValue) AND idempotency_key = \(idempotency.key)
                """, logger: logger)
            for try await (uuid, digest) in existing.decode((UUID, String).self) {
                return digest == idempotency.requestDigest ? .alreadyStored(uuid) : .keyUsedForAnotherPlan(uuid)
            }
            throw SubmissionStoreError.nothingInserted
        }
    }
}

public enum SubmissionStoreError: Error, CustomStringConvertible {
    case nothingInserted

    public var description: String { "the plan statement inserted nothing and no idempotency key explains why" }
}
