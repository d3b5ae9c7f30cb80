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
    public var receivedEvent: PlanReceivedEvent {
        PlanReceivedEvent(
            uuid: uuid, employerOrgNumber: employerOrgNumber, lpsOrgNumber: lpsOrgNumber,
            sendPlanToNav: plan.sendPlanToNav, needsHelpFromNav: plan.needsHelpFromNav == true,
            sendPlanToGeneralPractitioner: plan.sendPlanToGeneralPractitioner, submittedVia: frontDoor)
    }
}

/// The value of a `followupplan.received` message (key: the plan uuid).
///
/// It carries what the lookup and the router need to decide, and nothing of the plan's text or
/// the employee's identity: a consumer that needs those reads the plan row in PostgreSQL.
public struct PlanReceivedEvent: Sendable, Equatable, Codable {
    /// Bumped when a field changes meaning; consumers refuse versions they do not know.
    public var version: Int = 1
    public var uuid: UUID
    public var employerOrgNumber: String
    public var lpsOrgNumber: String
    public var sendPlanToNav: Bool
    public var needsHelpFromNav: Bool
    public var sendPlanToGeneralPractitioner: Bool
    public var submittedVia: PlanSubmission.FrontDoor

    public init(
        uuid: UUID, employerOrgNumber: String, lpsOrgNumber: String, sendPlanToNav: Bool, needsHelpFromNav: Bool,
        sendPlanToGeneralPractitioner: Bool, submittedVia: PlanSubmission.FrontDoor
    ) {
        self.uuid = uuid
        self.employerOrgNumber = employerOrgNumber
        self.lpsOrgNumber = lpsOrgNumber
        self.sendPlanToNav = sendPlanToNav
        self.needsHelpFromNav = needsHelpFromNav
        self.sendPlanToGeneralPractitioner = sendPlanToGeneralPractitioner
        self.submittedVia = submittedVia
    }

    /// The Kafka header that names the event type, so a consumer can route without decoding.
    public static let eventType = EventType.received.rawValue

    /// The event as it travels (``ContractJSONEncoder``: the properties in declaration order,
    /// the uuid in lower case as in the message key).
    public var jsonBody: String { ContractJSONEncoder.document(self) }
}
