import Domain
import Foundation
import Testing

/// The one encoder of the contract's documents: the byte layout the contract's examples show,
/// and the same values back through Foundation's decoder.
@Suite(.timeLimit(.minutes(5))) struct ContractJSONEncoderTests {
    static let uuid = UUID(uuidString: "4F0C2A5E-0B0D-4C5C-9E5A-6A2C9E1F3B7D")!
    /// A time whose milliseconds a Double holds exactly (.123 would be .122999…, written .122).
    static let time = Date(timeIntervalSince1970: 1_795_766_400.125)

    @Test func theReceivedEventIsWrittenInDeclarationOrderWithALowerCaseUUID() throws {
        let event = PlanRoutingFacts(
            uuid: Self.uuid, employerOrgNumber: "123456789", lpsOrgNumber: "987654321", sendPlanToNav: true, needsHelpFromNav: false,
            sendPlanToGeneralPractitioner: true, submittedVia: .http)
        #expect(
            event.jsonBody
                == #"{"version":1,"uuid":"4f0c2a5e-0b0d-4c5c-9e5a-6a2c9e1f3b7d","employerOrgNumber":"123456789","lpsOrgNumber":"987654321","sendPlanToNav":true,"needsHelpFromNav":false,"sendPlanToGeneralPractitioner":true,"submittedVia":"HTTP"}"#
        )
        #expect(try JSONDecoder().decode(PlanRoutingFacts.self, from: Data(event.jsonBody.utf8)) == event)
    }

    @Test func theErrorBodyAndTheAnswerAreTheContractsBytes() throws {
        #expect(
            String(decoding: ApiError.validation("x").jsonBody, as: UTF8.self)
                == #"{"status":{"value":400,"description":"Bad Request"},"type":"VALIDATION_ERROR","message":"x"}"#)
        let answer = FollowUpPlanResponse(uuid: "u", isSentToGeneralPractitionerStatus: false, isSentToNavStatus: true)
        #expect(
            String(decoding: answer.jsonBody, as: UTF8.self) == #"{"uuid":"u","isSentToGeneralPractitionerStatus":false,"isSentToNavStatus":true}"#)
    }

    @Test func stringsAreEscapedAndReadBackUnchanged() throws {
        let error = ApiError.badRequest("quote \" backslash \\ newline \n tab \t bell \u{7} æøå / slash")
        #expect(try JSONDecoder().decode(ApiError.self, from: error.jsonBody) == error)
        let text = String(decoding: error.jsonBody, as: UTF8.self)
        #expect(text.contains(#"quote \" backslash \\ newline \n tab \t bell \u0007 æøå / slash"#))
    }

    @Test func missingValuesAreNullNeverLeftOutAndDatesHaveMilliseconds() throws {
        struct Sample: Encodable {
            var text: String?
            var count: Int?
            var at: Date?
            var nested: [String: Int]?
            var list: [UUID]
        }
        #expect(
            try ContractJSONEncoder.string(Sample(text: nil, count: nil, at: nil, nested: nil, list: []))
                == #"{"text":null,"count":null,"at":null,"nested":null,"list":[]}"#)
        #expect(
            try ContractJSONEncoder.string(Sample(text: "a", count: 2, at: Self.time, nested: nil, list: [Self.uuid, Self.uuid]))
                == #"{"text":"a","count":2,"at":"2026-11-27T08:00:00.125Z","nested":null,"list":["4f0c2a5e-0b0d-4c5c-9e5a-6a2c9e1f3b7d","4f0c2a5e-0b0d-4c5c-9e5a-6a2c9e1f3b7d"]}"#
        )
        #expect(throws: EncodingError.self) { try ContractJSONEncoder.string([Double.nan]) }
    }

    @Test func thePublicStatusEventHasTheJournalpostOnTheNavChannelOnly() throws {
        let record = PlanStatusRecord(
            uuid: Self.uuid, employerOrgNumber: "123456789", frontDoor: .event, state: .completed,
            nav: .init(state: .sent, updatedAt: Self.time, attempts: 1, journalpostID: "600000001"),
            generalPractitioner: .init(state: .failed, attempts: 1, error: .generalPractitionerNotFound), receivedAt: Self.time,
            updatedAt: Self.time, revision: 3)
        #expect(
            PublicStatusEvent(record).jsonBody
                == #"{"version":1,"uuid":"4f0c2a5e-0b0d-4c5c-9e5a-6a2c9e1f3b7d","revision":3,"state":"COMPLETED","error":null,"notice":null,"channels":{"nav":{"state":"SENT","journalpostId":"600000001","error":null},"generalPractitioner":{"state":"FAILED","error":\#(String(decoding: ApiError.generalPractitionerNotFound.jsonBody, as: UTF8.self))}},"updatedAt":"2026-11-27T08:00:00.125Z"}"#
        )
    }

    @Test func theEnvelopeKeepsItsOrderOnBothPaths() throws {
        let envelope = MessageEnvelope(
            eventType: .received, callID: "call \"1\"", traceHeaders: [("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")])
        #expect(envelope.headers.map(\.name) == ["event-type", "nav-call-id", "traceparent"])
        #expect(
            envelope.outboxJSON
                == #"{"event-type":"followupplan.received.v1","nav-call-id":"call \"1\"","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}"#
        )
        #expect(MessageEnvelope(eventType: .publicStatus).outboxJSON == #"{"event-type":"followupplan.status.v1"}"#)
    }
}
