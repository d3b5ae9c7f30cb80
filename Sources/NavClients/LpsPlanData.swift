import Domain

/// The plan as syfooppdfgen's `oppfolgingsplanlps` template reads it (`{"lpsPlanData": …}`,
/// docs/domain-reference.md 4.5): texts ready to print, Norwegian where the template shows
/// them as they are (`"Ja"`/`"Nei"`, the date). A field without a value is sent as `null`, as
/// the existing service sends it, never left out.
public struct LpsPlanData: Encodable, Sendable, Equatable {
    public let employeeFnr: String
    public let employeeName: String
    public let employeePhoneNumber: String?
    public let employeeAddress: String?
    public let employeeEmail: String?
    public let typicalWorkday: String
    public let tasksThatCanStillBeDone: String
    public let tasksThatCanNotBeDone: String
    public let previousFacilitation: String
    public let plannedFacilitation: String
    public let otherFacilitationOptions: String?
    public let followUp: String
    public let evaluationDate: String
    public let sendPlanToString: String
    public let needsHelpFromNav: Bool?
    public let needsHelpFromNavDescription: String?
    public let messageToGeneralPractitioner: String?
    public let additionalInformation: String?
    public let employerContactPersonFullName: String
    public let employerContactPersonPhoneNumber: String
    public let employerContactPersonEmail: String
    public let employeeHasContributedToPlan: String
    public let employeeHasNotContributedToPlanDescription: String?

    /// The template's view of `plan`, with the employee's name and address from PDL (the
    /// identity number stands in for a name PDL did not give) and the contact details from KRR.
    public init(_ plan: FollowUpPlanDTO, person: PdlClient.PersonDetails?, contact: KrrClient.Contact) {
        employeeFnr = plan.employeeIdentificationNumber
        employeeName = person?.name ?? plan.employeeIdentificationNumber
        employeePhoneNumber = contact.phone
        employeeAddress = person?.address
        employeeEmail = contact.email
        typicalWorkday = plan.typicalWorkday
        tasksThatCanStillBeDone = plan.tasksThatCanStillBeDone
        tasksThatCanNotBeDone = plan.tasksThatCanNotBeDone
        previousFacilitation = plan.previousFacilitation
        plannedFacilitation = plan.plannedFacilitation
        otherFacilitationOptions = plan.otherFacilitationOptions
        followUp = plan.followUp
        evaluationDate = Self.norwegian(plan.evaluationDate)
        sendPlanToString = ((plan.sendPlanToNav ? ["NAV"] : []) + (plan.sendPlanToGeneralPractitioner ? ["LEGE"] : [])).joined(separator: ", ")
        needsHelpFromNav = plan.needsHelpFromNav
        needsHelpFromNavDescription = plan.needsHelpFromNavDescription
        messageToGeneralPractitioner = plan.messageToGeneralPractitioner
        additionalInformation = plan.additionalInformation
        employerContactPersonFullName = plan.contactPersonFullName
        employerContactPersonPhoneNumber = plan.contactPersonPhoneNumber
        employerContactPersonEmail = plan.contactPersonEmail
        employeeHasContributedToPlan = plan.employeeHasContributedToPlan ? "Ja" : "Nei"
        employeeHasNotContributedToPlanDescription = plan.employeeHasNotContributedToPlanDescription
    }

    /// `dd. MMMM yyyy` with Norwegian month names.
    static func norwegian(_ date: CalendarDate) -> String {
        let months = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"]
        return "\(date.day < 10 ? "0" : "")\(date.day). \(months[date.month - 1]) \(date.year)"
    }

    /// Every property under its own name, optionals as `null` (the synthesised encoder would
    /// leave them out).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(employeeFnr, forKey: .employeeFnr)
        try container.encode(employeeName, forKey: .employeeName)
        try container.encode(employeePhoneNumber, forKey: .employeePhoneNumber)
        try container.encode(employeeAddress, forKey: .employeeAddress)
        try container.encode(employeeEmail, forKey: .employeeEmail)
        try container.encode(typicalWorkday, forKey: .typicalWorkday)
        try container.encode(tasksThatCanStillBeDone, forKey: .tasksThatCanStillBeDone)
        try container.encode(tasksThatCanNotBeDone, forKey: .tasksThatCanNotBeDone)
        try container.encode(previousFacilitation, forKey: .previousFacilitation)
        try container.encode(plannedFacilitation, forKey: .plannedFacilitation)
        try container.encode(otherFacilitationOptions, forKey: .otherFacilitationOptions)
        try container.encode(followUp, forKey: .followUp)
        try container.encode(evaluationDate, forKey: .evaluationDate)
        try container.encode(sendPlanToString, forKey: .sendPlanToString)
        try container.encode(needsHelpFromNav, forKey: .needsHelpFromNav)
        try container.encode(needsHelpFromNavDescription, forKey: .needsHelpFromNavDescription)
        try container.encode(messageToGeneralPractitioner, forKey: .messageToGeneralPractitioner)
        try container.encode(additionalInformation, forKey: .additionalInformation)
        try container.encode(employerContactPersonFullName, forKey: .employerContactPersonFullName)
        try container.encode(employerContactPersonPhoneNumber, forKey: .employerContactPersonPhoneNumber)
        try container.encode(employerContactPersonEmail, forKey: .employerContactPersonEmail)
        try container.encode(employeeHasContributedToPlan, forKey: .employeeHasContributedToPlan)
        try container.encode(employeeHasNotContributedToPlanDescription, forKey: .employeeHasNotContributedToPlanDescription)
    }

    enum CodingKeys: String, CodingKey {
        case employeeFnr, employeeName, employeePhoneNumber, employeeAddress, employeeEmail, typicalWorkday, tasksThatCanStillBeDone
        case tasksThatCanNotBeDone, previousFacilitation, plannedFacilitation, otherFacilitationOptions, followUp, evaluationDate
        case sendPlanToString, needsHelpFromNav, needsHelpFromNavDescription, messageToGeneralPractitioner, additionalInformation
        case employerContactPersonFullName, employerContactPersonPhoneNumber, employerContactPersonEmail, employeeHasContributedToPlan
        case employeeHasNotContributedToPlanDescription
    }
}
