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

    /// States the pipeline never moves a plan out of (only an operator's re-drive does): a
    /// waiting request answers once its plan is in one.
    public var isFinal: Bool {
        switch self {
        case .rejected, .completed, .failed: true
        case .received, .inProgress: false
        }
    }

    /// A move of the status row's `state`.
    public struct Transition: Hashable, Sendable, CustomStringConvertible {
        public let from: PlanState
        public let to: PlanState

        public init(_ from: PlanState, _ to: PlanState) {
            self.from = from
            self.to = to
        }

        public var description: String { "\(from.rawValue)→\(to.rawValue)" }
    }

    /// The moves the pipeline's status events make (`StatusTransitions`'s SQL, which a test holds
    /// to this list): a channel's news counts as verification, so a RECEIVED plan may settle at
    /// once, and a plan without channels completes when verified.
    public static let forward: Set<Transition> = [
        .init(.received, .inProgress), .init(.received, .rejected), .init(.received, .completed), .init(.received, .failed),
        .init(.inProgress, .completed), .init(.inProgress, .failed),
    ]

    /// The only moves back, by an operator's re-drive of a dead letter: a plan that failed at
    /// the lookup is RECEIVED again; a channel that failed for a transient reason is pending
    /// again, so its plan is IN_PROGRESS (also when the other channel had completed it).
    public static let redrive: Set<Transition> = [.init(.failed, .received), .init(.failed, .inProgress), .init(.completed, .inProgress)]

    /// Whether the pipeline may move a plan from `self` to `next`.
    public func canMove(to next: PlanState) -> Bool { Self.forward.contains(.init(self, next)) }
}
