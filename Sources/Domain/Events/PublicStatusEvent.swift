import Foundation

/// The value of a `followupplan.status.v1` message (key: the plan uuid): where a plan that came
/// through the event front door stands, published at every change of its status row (through
/// the outbox, in the change's transaction) and when the event intake refuses a submission.
///
/// ```json
/// {"version":1,"uuid":"…","revision":3,"state":"COMPLETED","error":null,"notice":null,
///  "channels":{"nav":{"state":"SENT","journalpostId":"600000001","error":null},
///              "generalPractitioner":{"state":"FAILED","error":{"status":{…},"type":"GENERAL_PRACTITIONER_NOT_FOUND","message":"…"}}},
///  "updatedAt":"2026-11-27T08:00:00.123Z"}
/// ```
///
/// Each event carries the whole state, so a consumer keeps the one with the highest
/// `revision` and may ignore duplicates and reordering. A submission refused before it was
/// stored (unreadable field, validation rule) has `revision` 0, state REJECTED and
/// `channels` null. `notice` (added compatibly in version 1) says a step waits for NAV's
/// systems (``PlanNotice``).
public enum PublicStatusEvent {
    public static let eventType = EventType.publicStatus.rawValue
    public static let version = 1

    public static func json(_ record: PlanStatusRecord) -> String {
        "{\"version\":\(version),\"uuid\":\"\(record.uuid.lowercasedString)\",\"revision\":\(record.revision)"
            + ",\"state\":\"\(record.state.rawValue)\",\"error\":\(OrderedJSON.apiError(record.error)),\"notice\":\(OrderedJSON.notice(record.notice))"
            + ",\"channels\":{\"nav\":\(channel(record.nav, journalpost: true)),\"generalPractitioner\":\(channel(record.generalPractitioner, journalpost: false))}"
            + ",\"updatedAt\":\(OrderedJSON.timestamp(record.updatedAt))}"
    }

    /// A submission refused before it was stored.
    public static func rejectedAtIntake(_ uuid: UUID, _ apiError: ApiError, at time: Date = Date()) -> String {
        "{\"version\":\(version),\"uuid\":\"\(uuid.lowercasedString)\",\"revision\":0,\"state\":\"REJECTED\""
            + ",\"error\":\(OrderedJSON.apiError(apiError)),\"channels\":null,\"updatedAt\":\(OrderedJSON.timestamp(time))}"
    }

    static func channel(_ channel: PlanStatusRecord.Channel, journalpost: Bool) -> String {
        "{\"state\":\"\(channel.state.rawValue)\""
            + (journalpost ? ",\"journalpostId\":\(channel.journalpostID.map(OrderedJSON.string) ?? "null")" : "")
            + ",\"error\":\(OrderedJSON.apiError(channel.error))}"
    }
}
