import Foundation

/// The value of the pipeline's messages about a stored plan (key: the plan uuid): written to
/// `followupplan.received` by the front doors and passed on unchanged to `.verified` and to the
/// channel topics, each with its own `event-type` (``EventType``).
///
/// It carries what the lookup and the router need to decide, and nothing of the plan's text or
/// the employee's identity: a consumer that needs those reads the plan row in PostgreSQL.
public struct PlanRoutingFacts: Sendable, Equatable, Codable {
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

    /// The event as it travels (``ContractJSONEncoder``: the properties in declaration order,
    /// the uuid in lower case as in the message key).
    public var jsonBody: String { ContractJSONEncoder.document(self) }
}
