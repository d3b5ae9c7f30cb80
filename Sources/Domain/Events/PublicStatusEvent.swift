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
/// systems (``PlanNotice``). Written by ``ContractJSONEncoder`` in this order.
public struct PublicStatusEvent: Sendable, Equatable, Encodable {
    public static let eventType = EventType.publicStatus.rawValue
    public static let currentVersion = 1

    /// One channel's part: its state, the journal post (NAV only) and why it failed.
    public struct Channel: Sendable, Equatable, Encodable {
        public var state: ChannelState
        /// Written for the NAV channel only (nil there is `null`); the GP channel has no key.
        public var journalpostId: String??
        public var error: ApiError?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(state, forKey: .state)
            if let journalpostId { try container.encode(journalpostId, forKey: .journalpostId) }
            try container.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case state, journalpostId, error }
    }

    public struct Channels: Sendable, Equatable, Encodable {
        public var nav: Channel
        public var generalPractitioner: Channel
    }

    public var version = Self.currentVersion
    public var uuid: UUID
    public var revision: Int64
    public var state: PlanState
    public var error: ApiError?
    public var notice: PlanNotice?
    public var channels: Channels?
    public var updatedAt: Date

    /// The event of a stored plan's status row.
    public init(_ record: PlanStatusRecord) {
        uuid = record.uuid
        revision = record.revision
        state = record.state
        error = record.error
        notice = record.notice
        channels = Channels(
            nav: Channel(state: record.nav.state, journalpostId: .some(record.nav.journalpostID), error: record.nav.error),
            generalPractitioner: Channel(state: record.generalPractitioner.state, journalpostId: nil, error: record.generalPractitioner.error))
        updatedAt = record.updatedAt
    }

    /// The event of a submission refused before it was stored.
    public static func rejectedAtIntake(_ uuid: UUID, _ apiError: ApiError, at time: Date = Date()) -> PublicStatusEvent {
        PublicStatusEvent(uuid: uuid, revision: 0, state: .rejected, error: apiError, notice: nil, channels: nil, updatedAt: time)
    }

    private init(
        uuid: UUID, revision: Int64, state: PlanState, error: ApiError?, notice: PlanNotice?, channels: Channels?, updatedAt: Date
    ) {
        self.uuid = uuid
        self.revision = revision
        self.state = state
        self.error = error
        self.notice = notice
        self.channels = channels
        self.updatedAt = updatedAt
    }

    /// The message's value.
    public var jsonBody: String { ContractJSONEncoder.document(self) }
}
