/// Where a follow-up plan (oppfølgingsplan) is in its life, as the status table records it.
///
/// `RECEIVED → (REJECTED | IN_PROGRESS) → (COMPLETED | FAILED)`. The raw values are the ones
/// stored in PostgreSQL (the schema's CHECK constraints list the same words) and shown to
/// callers in the status resource.
public enum PlanState: String, Sendable, CaseIterable, Codable {
    case received = "RECEIVED"
    case rejected = "REJECTED"
    case inProgress = "IN_PROGRESS"
    case completed = "COMPLETED"
    case failed = "FAILED"

    /// States a plan never leaves.
    public var isFinal: Bool {
        switch self {
        case .rejected, .completed, .failed: true
        case .received, .inProgress: false
        }
    }

    /// Whether the status may move from `self` to `next`; it never goes backwards.
    public func canMove(to next: PlanState) -> Bool {
        switch (self, next) {
        case (.received, .rejected), (.received, .inProgress),
            (.inProgress, .completed), (.inProgress, .failed):
            true
        default:
            false
        }
    }
}

/// The two ways a plan leaves the service: to NAV (journal post, and a Modia task when the
/// employer asked for help) and to the employee's general practitioner (fastlege).
public enum DeliveryChannel: String, Sendable, CaseIterable, Codable {
    case nav
    case generalPractitioner
}

/// The state of one delivery channel of one plan.
///
/// `isSentTo…Status` in the public contract is true exactly when the channel is `sent`.
public enum ChannelState: String, Sendable, CaseIterable, Codable {
    case notRequested = "NOT_REQUESTED"
    case pending = "PENDING"
    case sent = "SENT"
    case failed = "FAILED"
}
