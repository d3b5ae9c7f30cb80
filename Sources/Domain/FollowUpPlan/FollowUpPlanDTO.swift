import Foundation

/// A follow-up plan (oppfølgingsplan) as an LPS submits it: `POST /api/v1/followupplan`.
///
/// JSON names are the public contract's (domain-reference.md 1.2), unknown properties are
/// ignored, and, unlike the Kotlin service, a missing boolean is an error rather than `false`.
/// Decode it with ``decode(from:)``, which names the offending field.
public struct FollowUpPlanDTO: Sendable, Equatable, Codable {
    public var employeeIdentificationNumber: String
    public var typicalWorkday: String
    public var tasksThatCanStillBeDone: String
    public var tasksThatCanNotBeDone: String
    public var previousFacilitation: String
    public var plannedFacilitation: String
    public var otherFacilitationOptions: String?
    public var followUp: String
    public var evaluationDate: CalendarDate
    public var sendPlanToNav: Bool
    public var needsHelpFromNav: Bool?
    public var needsHelpFromNavDescription: String?
    public var sendPlanToGeneralPractitioner: Bool
    public var messageToGeneralPractitioner: String?
    public var additionalInformation: String?
    public var contactPersonFullName: String
    public var contactPersonPhoneNumber: String
    public var contactPersonEmail: String
    public var employeeHasContributedToPlan: Bool
    public var employeeHasNotContributedToPlanDescription: String?
    public var lpsName: String
    public var lpsEmail: String?

    /// The JSON names: the property names, as in the contract.
    enum CodingKeys: String, CodingKey {
        case employeeIdentificationNumber, typicalWorkday, tasksThatCanStillBeDone, tasksThatCanNotBeDone
        case previousFacilitation, plannedFacilitation, otherFacilitationOptions, followUp, evaluationDate
        case sendPlanToNav, needsHelpFromNav, needsHelpFromNavDescription, sendPlanToGeneralPractitioner
        case messageToGeneralPractitioner, additionalInformation, contactPersonFullName, contactPersonPhoneNumber
        case contactPersonEmail, employeeHasContributedToPlan, employeeHasNotContributedToPlanDescription, lpsName, lpsEmail
    }

    public init(
        employeeIdentificationNumber: String, typicalWorkday: String, tasksThatCanStillBeDone: String,
        tasksThatCanNotBeDone: String, previousFacilitation: String, plannedFacilitation: String,
        otherFacilitationOptions: String? = nil, followUp: String, evaluationDate: CalendarDate, sendPlanToNav: Bool,
        needsHelpFromNav: Bool? = nil, needsHelpFromNavDescription: String? = nil, sendPlanToGeneralPractitioner: Bool,
        messageToGeneralPractitioner: String? = nil, additionalInformation: String? = nil, contactPersonFullName: String,
        contactPersonPhoneNumber: String, contactPersonEmail: String, employeeHasContributedToPlan: Bool,
        employeeHasNotContributedToPlanDescription: String? = nil, lpsName: String, lpsEmail: String? = nil
    ) {
        self.employeeIdentificationNumber = employeeIdentificationNumber
        self.typicalWorkday = typicalWorkday
        self.tasksThatCanStillBeDone = tasksThatCanStillBeDone
        self.tasksThatCanNotBeDone = tasksThatCanNotBeDone
        self.previousFacilitation = previousFacilitation
        self.plannedFacilitation = plannedFacilitation
        self.otherFacilitationOptions = otherFacilitationOptions
        self.followUp = followUp
        self.evaluationDate = evaluationDate
        self.sendPlanToNav = sendPlanToNav
        self.needsHelpFromNav = needsHelpFromNav
        self.needsHelpFromNavDescription = needsHelpFromNavDescription
        self.sendPlanToGeneralPractitioner = sendPlanToGeneralPractitioner
        self.messageToGeneralPractitioner = messageToGeneralPractitioner
        self.additionalInformation = additionalInformation
        self.contactPersonFullName = contactPersonFullName
        self.contactPersonPhoneNumber = contactPersonPhoneNumber
        self.contactPersonEmail = contactPersonEmail
        self.employeeHasContributedToPlan = employeeHasContributedToPlan
        self.employeeHasNotContributedToPlanDescription = employeeHasNotContributedToPlanDescription
        self.lpsName = lpsName
        self.lpsEmail = lpsEmail
    }
}

extension CalendarDate: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a yyyy-MM-dd date"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
