import Domain
import Foundation
import Storage

/// A stored plan with the organisations it was submitted under: what a channel sends. Read in
/// one statement with its PDF (when one was built) and the plan's recorded steps, so that a
/// channel reads the database once before its calls.
public struct StoredPlan: Sendable, Equatable {
    public var uuid: UUID
    public var employerOrgNumber: String
    public var lpsOrgNumber: String
    public var plan: FollowUpPlanDTO
    /// The plan's PDF as it was stored when the plan was read; nil when none was built yet.
    public var pdf: [UInt8]?
    /// What was recorded of the plan's steps (`processed_step`) when the plan was read.
    public var steps: RecordedSteps

    public init(
        uuid: UUID, employerOrgNumber: String, lpsOrgNumber: String, plan: FollowUpPlanDTO, pdf: [UInt8]? = nil, steps: RecordedSteps = .none
    ) {
        self.uuid = uuid
        self.employerOrgNumber = employerOrgNumber
        self.lpsOrgNumber = lpsOrgNumber
        self.plan = plan
        self.pdf = pdf
        self.steps = steps
    }
}
