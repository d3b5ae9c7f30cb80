import Foundation

/// A plan published on `followupplan.submitted.v1` by an upstream intake system: the event
/// front door's contract (JSON Schema and AsyncAPI served at `/events/…`, see `docs/api.md`).
///
/// ```json
/// {"version":1,"uuid":"<the publisher's plan uuid>","employerOrgNumber":"123456789",
///  "lpsOrgNumber":"987654321","sourceSystem":"altinn-kanal","plan":{ FollowUpPlanDTO, the HTTP body's JSON names }}
/// ```
///
/// The message key should be the uuid. The uuid becomes the plan's uuid and is the idempotency
/// key: publishing the same event again changes nothing.
public struct PlanSubmittedEvent: Sendable, Equatable {
    public static let eventType = EventType.submitted.rawValue
    public static let version = 1

    public var uuid: UUID
    public var employerOrgNumber: String
    public var lpsOrgNumber: String
    public var sourceSystem: String
    public var plan: FollowUpPlanDTO

    public init(uuid: UUID, employerOrgNumber: String, lpsOrgNumber: String, sourceSystem: String, plan: FollowUpPlanDTO) {
        self.uuid = uuid
        self.employerOrgNumber = employerOrgNumber
        self.lpsOrgNumber = lpsOrgNumber
        self.sourceSystem = sourceSystem
        self.plan = plan
    }

    /// What a message of the topic turned out to be.
    public enum Reading: Sendable, Equatable {
        /// A valid submission: store it.
        case valid(PlanSubmittedEvent)
        /// A submission we can answer but not accept: the same ApiError the HTTP intake gives
        /// (BAD_REQUEST for a field that cannot be read, VALIDATION_ERROR for a rule), reported
        /// to the publisher as a REJECTED status event.
        case rejected(UUID, ApiError)
    }

    /// Why a message cannot even be answered (no readable uuid, not JSON, a version we do not
    /// know): it goes to the dead-letter topic.
    public struct Unreadable: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a message value: the envelope, then the plan exactly as the HTTP intake reads a
    /// body (same decoder, same messages), then the contract's validation rules.
    public static func read(_ value: [UInt8]) throws(Unreadable) -> Reading {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any] else {
            throw Unreadable(description: "the value is not a JSON object")
        }
        guard let uuidText = object["uuid"] as? String, let uuid = UUID(uuidString: uuidText) else {
            throw Unreadable(description: "uuid is missing or not a uuid")
        }
        guard let version = object["version"] as? Int, version == Self.version else {
            throw Unreadable(description: "version \(object["version"].map { "\($0)" } ?? "missing") is not one this service reads (1)")
        }
        func rejected(_ problem: String) -> Reading { .rejected(uuid, .badRequest("Failed to convert event: \(problem)")) }
        guard let employer = object["employerOrgNumber"] as? String, isOrgNumber(employer) else {
            return rejected("employerOrgNumber must be an organisation number of 9 digits")
        }
        guard let lps = object["lpsOrgNumber"] as? String, isOrgNumber(lps) else {
            return rejected("lpsOrgNumber must be an organisation number of 9 digits")
        }
        guard let source = object["sourceSystem"] as? String, !source.isEmpty, source.count <= 100 else {
            return rejected("sourceSystem must be a name of 1 to 100 characters")
        }
        guard let planObject = object["plan"] as? [String: Any], let planJSON = try? JSONSerialization.data(withJSONObject: planObject) else {
            return rejected("plan is missing or not an object")
        }
        let plan: FollowUpPlanDTO
        do {
            plan = try FollowUpPlanDTO.decode(from: planJSON)
        } catch {
            return .rejected(uuid, error)
        }
        if let violation = FollowUpPlanValidation.firstViolation(of: plan) { return .rejected(uuid, violation) }
        return .valid(PlanSubmittedEvent(uuid: uuid, employerOrgNumber: employer, lpsOrgNumber: lps, sourceSystem: source, plan: plan))
    }

    static func isOrgNumber(_ text: String) -> Bool {
        text.utf8.count == 9 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// The plan as the common intake path stores it.
    public var submission: PlanSubmission {
        PlanSubmission(uuid: uuid, plan: plan, employerOrgNumber: employerOrgNumber, lpsOrgNumber: lpsOrgNumber, frontDoor: .event)
    }

    /// The Idempotency-Key the event's uuid claims (keys are per employer organisation).
    public var idempotencyKey: String { "event:\(uuid.lowercasedString)" }
}
