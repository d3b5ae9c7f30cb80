import Domain
import Foundation
import Testing

@Suite struct FollowUpPlanDecodingTests {
    @Test func aCompleteBodyDecodesWithEveryField() throws {
        let plan = try FollowUpPlanDTO.decode(from: FollowUpPlanFixtures.body(["somethingNew": "ignored"]))
        #expect(plan.employeeIdentificationNumber == "12345678910")
        #expect(plan.evaluationDate == CalendarDate(year: 2027, month: 1, day: 15))
        #expect(plan.sendPlanToNav && plan.needsHelpFromNav == true && plan.sendPlanToGeneralPractitioner)
        #expect(plan.employeeHasNotContributedToPlanDescription == "Was on a mission")
        #expect(plan.lpsEmail == "hr@empire.example")
    }

    @Test func optionalFieldsMayBeNullOrAbsent() throws {
        let optional = [
            "otherFacilitationOptions", "needsHelpFromNav", "needsHelpFromNavDescription", "messageToGeneralPractitioner",
            "additionalInformation", "employeeHasNotContributedToPlanDescription", "lpsEmail",
        ]
        let absent = try FollowUpPlanDTO.decode(from: FollowUpPlanFixtures.body(removing: optional))
        #expect(absent.needsHelpFromNav == nil && absent.lpsEmail == nil && absent.otherFacilitationOptions == nil)
        let nulls = try FollowUpPlanDTO.decode(from: FollowUpPlanFixtures.body(Dictionary(uniqueKeysWithValues: optional.map { ($0, nil) })))
        #expect(nulls == absent)
    }

    @Test(arguments: FollowUpPlanFixtures.requiredFields)
    func aMissingRequiredFieldIsNamed(field: String) {
        expectBadRequest(FollowUpPlanFixtures.body(removing: [field]), "Failed to convert request body: \(field) is missing")
    }

    @Test(arguments: FollowUpPlanFixtures.requiredFields)
    func aNullRequiredFieldIsNamed(field: String) {
        expectBadRequest(FollowUpPlanFixtures.body([field: nil]), "Failed to convert request body: \(field) must not be null")
    }

    @Test func booleansAreNotDefaultedWhenMissing() {
        // The Kotlin service silently read a missing sendPlanToNav as false.
        expectBadRequest(FollowUpPlanFixtures.body(removing: ["sendPlanToNav"]), "Failed to convert request body: sendPlanToNav is missing")
    }

    @Test func theFirstProblemInTheContractsOrderIsReported() {
        expectBadRequest(
            FollowUpPlanFixtures.body(removing: ["lpsName", "typicalWorkday"]), "Failed to convert request body: typicalWorkday is missing")
    }

    @Test func wrongTypesAreNamed() {
        expectBadRequest(FollowUpPlanFixtures.body(["typicalWorkday": 42]), "Failed to convert request body: typicalWorkday must be a string")
        expectBadRequest(FollowUpPlanFixtures.body(["sendPlanToNav": "true"]), "Failed to convert request body: sendPlanToNav must be a boolean")
        expectBadRequest(FollowUpPlanFixtures.body(["needsHelpFromNav": "yes"]), "Failed to convert request body: needsHelpFromNav must be a boolean")
        expectBadRequest(FollowUpPlanFixtures.body(["lpsEmail": ["a"]]), "Failed to convert request body: lpsEmail must be a string")
    }

    @Test(arguments: ["2027-02-30", "15.01.2027", "2027-1-15", "2027-01-15T10:00:00", "", "٢٠٢٧-01-15"])
    func aDateNotInTheContractsFormIsNamed(date: String) {
        expectBadRequest(
            FollowUpPlanFixtures.body(["evaluationDate": date]),
            "Failed to convert request body: evaluationDate must be a date in the form yyyy-MM-dd")
    }

    /// PostgreSQL's text cannot hold U+0000: refused as a body error, not a 500 at the insert
    /// (found by schemathesis).
    @Test(arguments: ["typicalWorkday", "otherFacilitationOptions", "lpsName"])
    func aNulCharacterIsRefusedNamingTheField(field: String) {
        expectBadRequest(FollowUpPlanFixtures.body([field: "before\u{0000}after"]), "Failed to convert request body: \(field) must not contain the character U+0000")
    }

    @Test func aBodyThatIsNotAJSONObjectIsRefused() {
        expectBadRequest(Data("{\"typicalWorkday\": ".utf8), "Failed to convert request body: the body is not valid JSON")
        expectBadRequest(Data(), "Failed to convert request body: the body is not valid JSON")
        expectBadRequest(Data("[1, 2]".utf8), "Failed to convert request body: the body must be a JSON object")
    }

    @Test func encodingUsesTheContractsNamesAndDateForm() throws {
        let plan = try FollowUpPlanDTO.decode(from: FollowUpPlanFixtures.body())
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(plan)) as! [String: Any]
        #expect(Set(json.keys) == Set(FollowUpPlanFixtures.validFields.keys))
        #expect(json["evaluationDate"] as? String == "2027-01-15")
        #expect(try FollowUpPlanDTO.decode(from: try JSONEncoder().encode(plan)) == plan)
    }

    private func expectBadRequest(_ body: Data, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try FollowUpPlanDTO.decode(from: body)
            Issue.record("accepted a bad body; expected: \(message)", sourceLocation: sourceLocation)
        } catch {
            #expect(error == .badRequest(message), sourceLocation: sourceLocation)
            #expect(error.status.value == 400 && error.type == .badRequest, sourceLocation: sourceLocation)
        }
    }
}
