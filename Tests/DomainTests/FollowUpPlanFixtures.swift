import Foundation

/// A complete, valid submission as an LPS sends it (every field of the contract), as JSON.
enum FollowUpPlanFixtures {
    static var validFields: [String: Any] {
        [
            "employeeIdentificationNumber": "12345678910",
            "typicalWorkday": "Guarding the Death Star",
            "tasksThatCanStillBeDone": "Patrol",
            "tasksThatCanNotBeDone": "Aiming",
            "previousFacilitation": "New helmet",
            "plannedFacilitation": "Training",
            "otherFacilitationOptions": "Desk work",
            "followUp": "Weekly talks",
            "evaluationDate": "2027-01-15",
            "sendPlanToNav": true,
            "needsHelpFromNav": true,
            "needsHelpFromNavDescription": "Needs a new role",
            "sendPlanToGeneralPractitioner": true,
            "messageToGeneralPractitioner": "Please review",
            "additionalInformation": "None",
            "contactPersonFullName": "Darth Vader",
            "contactPersonPhoneNumber": "12345678",
            "contactPersonEmail": "vader@empire.example",
            "employeeHasContributedToPlan": false,
            "employeeHasNotContributedToPlanDescription": "Was on a mission",
            "lpsName": "Imperial HR",
            "lpsEmail": "hr@empire.example",
        ]
    }

    /// The required fields in the contract's order; the first problem reported follows it.
    static let requiredFields = [
        "employeeIdentificationNumber", "typicalWorkday", "tasksThatCanStillBeDone", "tasksThatCanNotBeDone",
        "previousFacilitation", "plannedFacilitation", "followUp", "evaluationDate", "sendPlanToNav",
        "sendPlanToGeneralPractitioner", "contactPersonFullName", "contactPersonPhoneNumber", "contactPersonEmail",
        "employeeHasContributedToPlan", "lpsName",
    ]

    static func body(_ changes: [String: Any?] = [:], removing removed: [String] = []) -> Data {
        var fields = validFields
        for (key, value) in changes { fields[key] = value ?? NSNull() }
        for key in removed { fields[key] = nil }
        return try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    }
}
