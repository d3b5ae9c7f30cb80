import Domain
import Foundation
import Testing

/// The hand-written JSON bodies read back as the same values through Foundation's decoder.
@Suite(.timeLimit(.minutes(5))) struct OrderedJSONTests {
    @Test func theReceivedEventRoundTripsWithALowerCaseUUID() throws {
        let uuid = UUID()
        let event = PlanReceivedEvent(
            uuid: uuid, employerOrgNumber: "123456789", lpsOrgNumber: "987654321", sendPlanToNav: true, needsHelpFromNav: false,
            sendPlanToGeneralPractitioner: true, submittedVia: .http)
        #expect(try JSONDecoder().decode(PlanReceivedEvent.self, from: Data(event.jsonBody.utf8)) == event)
        #expect(event.jsonBody.contains(uuid.uuidString.lowercased()))
    }

    @Test func stringsAreEscaped() throws {
        let error = ApiError.badRequest("quote \" backslash \\ newline \n tab \t bell \u{7} æøå")
        let decoded = try JSONDecoder().decode(ApiError.self, from: error.jsonBody)
        #expect(decoded == error)
        let headers = OrderedJSON.object([("nav-call-id", "a\"b"), ("event-type", "x")])
        #expect(try JSONDecoder().decode([String: String].self, from: Data(headers.utf8)) == ["nav-call-id": "a\"b", "event-type": "x"])
        #expect(headers.hasPrefix(#"{"nav-call-id""#))
    }
}
