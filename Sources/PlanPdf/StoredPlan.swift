import Domain
import Foundation

/// A stored plan with the organisations it was submitted under: what a channel sends.
public struct StoredPlan: Sendable, Equatable {
    public var uuid: UUID
    public var employerOrgNumber: String
    public var lpsOrgNumber: String
    public var plan: FollowUpPlanDTO

    public init(uuid: UUID, employerOrgNumber: String, lpsOrgNumber: String, plan: FollowUpPlanDTO) {
        self.uuid = uuid
        self.employerOrgNumber = employerOrgNumber
        self.lpsOrgNumber = lpsOrgNumber
        self.plan = plan
    }
}
