import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import PostgresNIO
import Submissions

/// Handles one message of the event front door (`followupplan.submitted.v1` events).
///
/// - valid: stored with the publisher's uuid as the plan's uuid, claimed as the idempotency
///   key `event:<uuid>` of the employer organisation, so a republished event changes nothing;
/// - refused (a field that cannot be read, a validation rule): nothing is stored, and the
///   publisher gets a REJECTED status event with the ApiError the HTTP intake would give;
/// - unreadable (no uuid to answer to, not JSON, an unknown version), or a uuid already used
///   for a different plan: the dead-letter topic, and the consumer moves on.
public struct EventIntakeHandler: Sendable {
    let store: SubmissionStore
    let producer: KafkaProducer
    let topics: EventTopics
    let logger: Logger

    public init(store: SubmissionStore, producer: KafkaProducer, topics: EventTopics, logger: Logger) {
        self.store = store
        self.producer = producer
        self.topics = topics
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        guard let value = message.value else { throw PoisonMessage("a tombstone is not a submission") }
        let reading: PlanSubmittedEvent.Reading
        do {
            reading = try PlanSubmittedEvent.read(value)
        } catch {
            throw PoisonMessage("unreadable submission: \(error.description)")
        }
        switch reading {
        case .rejected(let uuid, let error):
            _ = try await producer.send(
                topic: topics.publicStatus, key: Array(uuid.lowercasedString.utf8),
                value: Array(PublicStatusEvent.rejectedAtIntake(uuid, error).jsonBody.utf8),
                headers: message.carriedHeaders(eventType: .publicStatus))
            logger.info(
                "submission event refused",
                metadata: ["plan_uuid": "\(uuid.lowercasedString)", "type": "\(error.type.rawValue)", "message": "\(error.message)"])
        case .valid(let event):
            try await store(event, callID: message.header(MessageEnvelope.callIDHeader), traceHeaders: message.continuedTraceHeaders)
        }
    }

    private func store(_ event: PlanSubmittedEvent, callID: String?, traceHeaders: [(String, String)]) async throws {
        let uuid = event.uuid.lowercasedString
        let outcome: SubmissionStore.Outcome
        do {
            outcome = try await store.store(
                event.submission, idempotency: .init(key: event.idempotencyKey, plan: event.plan), callID: callID, traceHeaders: traceHeaders)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // The uuid is taken by a plan of another organisation (or the HTTP door).
            throw PoisonMessage("plan uuid \(uuid) is already used by another plan")
        }
        switch outcome {
        case .stored:
            logger.info(
                "plan received",
                metadata: ["plan_uuid": "\(uuid)", "employer_org": "\(event.employerOrgNumber)", "source_system": "\(event.sourceSystem)"])
        case .alreadyStored:
            logger.info("submission event published again; nothing changed", metadata: ["plan_uuid": "\(uuid)"])
        case .keyUsedForAnotherPlan:
            throw PoisonMessage("plan uuid \(uuid) was published before with a different plan")
        }
    }
}
