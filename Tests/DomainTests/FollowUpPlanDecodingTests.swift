import Domain
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct FollowUpPlanDecodingTests {
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

    /// Each argument is the field's JSON.
    @Test(arguments: [
        #""2027-02-30""#, #""15.01.2027""#, #""2027-1-15""#, #""""#, #""٢٠٢٧-01-15""#, #""2027-01-15T25:00:00""#, #""2027-01-15T10""#,
        #""2027-01-15T10:00Zulu""#, #""2027-01-15 10:00:00""#, #""2027-01-15T10:00:00.1234567890Z""#, #""2027-01-15T10:00:00+2:00""#,
        #""2027-01-15x""#, "[2027, 13, 1]", "[2027, 1]", "[2027, 1, 15, 0]", #"["2027", "01", "15"]"#, "20270115", "true", #"{"a": 1}"#,
    ])
    func aDateInNoneOfTheFormsRealClientsSendIsNamed(json: String) throws {
        let date = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        expectBadRequest(
            FollowUpPlanFixtures.body(["evaluationDate": date]),
            "Failed to convert request body: evaluationDate must be a date yyyy-MM-dd, an ISO-8601 date-time (2027-01-31T00:00:00, or with Z or an offset: its date in Europe/Oslo) or an array [2027, 1, 31]"
        )
    }

    /// The forms the existing service's real clients send (issue #15): its documented form,
    /// Bruno's and the LPS demo's `toISOString()` instants (the day picked in Oslo), an offset,
    /// a local date-time, and Jackson's array for a `LocalDate`. Always stored as yyyy-MM-dd.
    @Test(arguments: [
        ("2027-01-31", "2027-01-31"),
        ("2026-11-03T14:22:51.123Z", "2026-11-03"),
        ("2025-06-19T22:00:00.000Z", "2025-06-20"),  // the demo: 20 June picked in Oslo (summer)
        ("2025-01-19T23:00:00.000Z", "2025-01-20"),  // the demo: 20 January picked in Oslo (winter)
        ("2025-01-19T22:59:59Z", "2025-01-19"),
        ("2027-01-31T00:00:00+02:00", "2027-01-30"),  // that instant is 23:00 on the 30th in Oslo
        ("2027-01-31T12:00:00-05:00", "2027-01-31"),
        ("2027-01-31T00:30:00+0100", "2027-01-31"),
        ("2027-01-31T00:00:00", "2027-01-31"),
        ("2027-01-31T23:59:59.999999", "2027-01-31"),
        ("2027-01-31T08:15", "2027-01-31"),
        ("2026-10-24T22:30:00Z", "2026-10-25"),  // summer time ends at 01:00 UTC on the 25th
        ("2026-10-25T22:30:00Z", "2026-10-25"),
        ("2026-03-28T23:30:00Z", "2026-03-29"),
    ])
    func everyDateFormRealClientsSendIsTheDayMeant(sent: String, stored: String) throws {
        let plan = try FollowUpPlanDTO.decode(from: FollowUpPlanFixtures.body(["evaluationDate": sent]))
        #expect(plan.evaluationDate.description == stored)
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(plan)) as! [String: Any]
        #expect(json["evaluationDate"] as? String == stored, "written back as yyyy-MM-dd")
    }

    @Test func theArrayFormIsTheDate() throws {
        let plan = try FollowUpPlanDTO.decode(from: FollowUpPlanFixtures.body(["evaluationDate": [2027, 1, 31]]))
        #expect(plan.evaluationDate.description == "2027-01-31")
    }

    /// The computed Europe/Oslo offset agrees with the time zone database every half hour for
    /// seven years (DST changes included), so an instant's date is Oslo's.
    @Test func osloDatesAgreeWithTheTimeZoneDatabase() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/Oslo"))
        let formatter = ISO8601DateFormatter()
        var instant = try #require(formatter.date(from: "2024-01-01T00:00:00Z"))
        let end = try #require(formatter.date(from: "2031-01-01T00:00:00Z"))
        var checked = 0
        while instant < end {
            let day = calendar.dateComponents([.year, .month, .day], from: instant)
            let expected = try #require(CalendarDate(year: day.year!, month: day.month!, day: day.day!))
            let parsed = EvaluationDate.parse(formatter.string(from: instant))
            if parsed != expected {
                Issue.record("\(formatter.string(from: instant)): \(parsed.map(String.init(describing:)) ?? "nil") != \(expected)")
                return
            }
            instant += 1_800
            checked += 1
        }
        #expect(checked == 7 * 365 * 48 + 2 * 48)
    }

    /// PostgreSQL's text cannot hold U+0000: refused as a body error, not a 500 at the insert
    /// (found by schemathesis).
    @Test(arguments: ["typicalWorkday", "otherFacilitationOptions", "lpsName"])
    func aNulCharacterIsRefusedNamingTheField(field: String) {
        expectBadRequest(
            FollowUpPlanFixtures.body([field: "before\u{0000}after"]),
            "Failed to convert request body: \(field) must not contain the character U+0000")
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
