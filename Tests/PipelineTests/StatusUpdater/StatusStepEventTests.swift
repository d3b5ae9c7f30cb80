import Domain
import EventProcessing
import Foundation
import Testing

@testable import StatusUpdater

@Suite(.timeLimit(.minutes(5))) struct StatusStepEventTests {
    @Test func anEventRoundTripsInItsWireShape() throws {
        let uuid = UUID()
        let event = StatusStepEvent(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "4711")
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(event)) as? [String: Any]
        #expect(json?["kind"] as? String == "CHANNEL_SENT")
        #expect(json?["channel"] as? String == "nav")
        #expect(json?["journalpostId"] as? String == "4711")
        #expect(try StatusUpdateHandler.decode(Array(try JSONEncoder().encode(event))) == event)
    }

    @Test(arguments: [
        (#"{"version":1,"uuid":"not-a-uuid","kind":"VERIFIED"}"#, "not a status event"),
        (#"{"version":2,"uuid":"6F1C4C3E-9A57-4A3B-8B9E-7D1F0A2B3C4D","kind":"VERIFIED"}"#, "version 2"),
        (#"{"version":1,"uuid":"6F1C4C3E-9A57-4A3B-8B9E-7D1F0A2B3C4D","kind":"REJECTED"}"#, "needs an error"),
        (#"{"version":1,"uuid":"6F1C4C3E-9A57-4A3B-8B9E-7D1F0A2B3C4D","kind":"CHANNEL_SENT"}"#, "needs a channel"),
        (
            #"{"version":1,"uuid":"6F1C4C3E-9A57-4A3B-8B9E-7D1F0A2B3C4D","kind":"REJECTED","error":{"type":"BAD_REQUEST","message":"x"}}"#,
            "not an outcome"
        ),
    ])
    func anEventThatCanNeverApplyIsPoison(json: String, reason: String) {
        #expect {
            _ = try StatusUpdateHandler.decode(Array(json.utf8))
        } throws: { error in
            (error as? PoisonMessage)?.reason.contains(reason) == true
        }
    }
}
