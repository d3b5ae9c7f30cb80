import Domain
import Foundation
import StatusQuery
import Testing

/// The status resource's body, byte for byte as `docs/api.md` shows it: the contract's three
/// fields first, then the detail, nulls written, the journal post on the NAV channel only.
@Suite(.timeLimit(.minutes(5))) struct PlanStatusDocumentTests {
    @Test func theBodyIsTheDocumentedLayout() {
        let time = Date(timeIntervalSince1970: 1_795_766_400.125)
        let uuid = UUID(uuidString: "4F0C2A5E-0B0D-4C5C-9E5A-6A2C9E1F3B7D")!
        let record = PlanStatusRecord(
            uuid: uuid, employerOrgNumber: "123456789", state: .inProgress,
            nav: .init(state: .sent, updatedAt: time, attempts: 1, journalpostID: "600000001"),
            generalPractitioner: .init(state: .pending, attempts: 2, waitingSince: time), receivedAt: time, updatedAt: time, revision: 4)
        let message = JSONText.string(PlanNotice.waitingForNavMessage)
        #expect(
            PlanStatusDocument(record).jsonBody
                == #"{"uuid":"4f0c2a5e-0b0d-4c5c-9e5a-6a2c9e1f3b7d","isSentToGeneralPractitionerStatus":false,"isSentToNavStatus":true,"#
                + #""state":"IN_PROGRESS","error":null,"notice":{"type":"WAITING_FOR_NAV_SYSTEMS","message":\#(message),"since":"2026-11-27T08:00:00.125Z"},"#
                + #""receivedAt":"2026-11-27T08:00:00.125Z","updatedAt":"2026-11-27T08:00:00.125Z","channels":{"#
                + #""nav":{"requested":true,"state":"SENT","updatedAt":"2026-11-27T08:00:00.125Z","attempts":1,"journalpostId":"600000001","error":null,"waitingSince":null},"#
                + #""generalPractitioner":{"requested":true,"state":"PENDING","updatedAt":null,"attempts":2,"error":null,"waitingSince":"2026-11-27T08:00:00.125Z"}}}"#
        )
    }
}
