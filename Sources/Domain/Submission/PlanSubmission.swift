import Foundation

/// A validated follow-up plan on its way into storage, whichever front door it came through.
///
/// Both front doors (HTTP for LPS systems, the submission topic for upstream intake systems)
/// build one of these and hand it to the same store, so the rules, the storage and the status
/// path are the same for both.
public struct PlanSubmission: Sendable, Equatable {
    /// How a plan reached us; stored with the plan (`followup_plan.submitted_via`).
    public enum FrontDoor: String, Sendable, Codable {
        case http = "HTTP"
        case event = "EVENT"
    }

    public var uuid: UUID
    public var plan: FollowUpPlanDTO
    /// The organisation the plan is for (Maskinporten's `consumer` claim).
    public var employerOrgNumber: String
    /// The organisation that submitted it: `supplier` under Altinn delegation, else the employer.
    public var lpsOrgNumber: String
    public var frontDoor: FrontDoor

    public init(uuid: UUID = UUID(), plan: FollowUpPlanDTO, employerOrgNumber: String, lpsOrgNumber: String, frontDoor: FrontDoor) {
        self.uuid = uuid
        self.plan = plan
        self.employerOrgNumber = employerOrgNumber
        self.lpsOrgNumber = lpsOrgNumber
        self.frontDoor = frontDoor
    }

    /// The channels the plan asked for, as the status row starts them.
    public var initialNavState: ChannelState { plan.sendPlanToNav ? .pending : .notRequested }
    public var initialGeneralPractitionerState: ChannelState { plan.sendPlanToGeneralPractitioner ? .pending : .notRequested }

    /// The event announcing the stored plan: identifiers and routing facts, never the plan text.
    public var receivedEvent: PlanRoutingFacts {
        PlanRoutingFacts(
            uuid: uuid, employerOrgNumber: employerOrgNumber, lpsOrgNumber: lpsOrgNumber,
            sendPlanToNav: plan.sendPlanToNav, needsHelpFromNav: plan.needsHelpFromNav == true,
            sendPlanToGeneralPractitioner: plan.sendPlanToGeneralPractitioner, submittedVia: frontDoor)
    }
}
