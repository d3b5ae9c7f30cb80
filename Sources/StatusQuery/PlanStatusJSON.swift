import Domain
import Foundation

/// The status resource's JSON: the contract's three fields first (a client of the existing
/// service reads them unchanged), then the detail of the status model. Written by hand, in a
/// fixed property order (Foundation's encoder orders keys randomly on Linux).
///
/// ```json
/// {"uuid":"…","isSentToGeneralPractitionerStatus":false,"isSentToNavStatus":true,
///  "state":"COMPLETED","error":null,"notice":null,"receivedAt":"2026-11-27T08:00:00.123Z","updatedAt":"…",
///  "channels":{"nav":{"requested":true,"state":"SENT","updatedAt":"…","attempts":1,"journalpostId":"600000001","error":null,"waitingSince":null},
///              "generalPractitioner":{"requested":true,"state":"FAILED","updatedAt":"…","attempts":1,
///                                     "error":{"status":{"value":404,"description":"Not Found"},"type":"GENERAL_PRACTITIONER_NOT_FOUND","message":"…"},
///                                     "waitingSince":null}}}
/// ```
///
/// While a step waits for a NAV API that is down, `notice` is
/// `{"type":"WAITING_FOR_NAV_SYSTEMS","message":"The follow-up plan is accepted. …","since":"…"}`
/// and the waiting channel's `waitingSince` is set.
public enum PlanStatusJSON {
    public static func body(_ record: PlanStatusRecord) -> String {
        let response = record.response
        return "{\"uuid\":\(OrderedJSON.string(response.uuid))"
            + ",\"isSentToGeneralPractitionerStatus\":\(response.isSentToGeneralPractitionerStatus)"
            + ",\"isSentToNavStatus\":\(response.isSentToNavStatus)"
            + ",\"state\":\"\(record.state.rawValue)\",\"error\":\(OrderedJSON.apiError(record.error)),\"notice\":\(OrderedJSON.notice(record.notice))"
            + ",\"receivedAt\":\(OrderedJSON.timestamp(record.receivedAt)),\"updatedAt\":\(OrderedJSON.timestamp(record.updatedAt))"
            + ",\"channels\":{\"nav\":\(channel(record.nav, journalpost: true)),\"generalPractitioner\":\(channel(record.generalPractitioner, journalpost: false))}}"
    }

    static func channel(_ channel: PlanStatusRecord.Channel, journalpost: Bool) -> String {
        "{\"requested\":\(channel.state != .notRequested),\"state\":\"\(channel.state.rawValue)\""
            + ",\"updatedAt\":\(channel.updatedAt.map(OrderedJSON.timestamp) ?? "null"),\"attempts\":\(channel.attempts)"
            + (journalpost ? ",\"journalpostId\":\(channel.journalpostID.map(OrderedJSON.string) ?? "null")" : "")
            + ",\"error\":\(OrderedJSON.apiError(channel.error)),\"waitingSince\":\(channel.waitingSince.map(OrderedJSON.timestamp) ?? "null")}"
    }
}
