import Domain
import Foundation

/// The status resource's body: the contract's three fields first (a client of the existing
/// service reads them unchanged), then the detail of the status model. Written by
/// ``Domain/ContractJSONEncoder`` in this order.
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
public struct PlanStatusDocument: Sendable, Equatable, Encodable {
    /// One channel's part of the status.
    public struct Channel: Sendable, Equatable, Encodable {
        public var requested: Bool
        public var state: ChannelState
        public var updatedAt: Date?
        public var attempts: Int
        /// Written for the NAV channel only (nil there is `null`); the GP channel has no key.
        public var journalpostId: String??
        public var error: ApiError?
        public var waitingSince: Date?

        init(_ channel: PlanStatusRecord.Channel, hasJournalpost: Bool) {
            requested = channel.state != .notRequested
            state = channel.state
            updatedAt = channel.updatedAt
            attempts = channel.attempts
            journalpostId = hasJournalpost ? .some(channel.journalpostID) : nil
            error = channel.error
            waitingSince = channel.waitingSince
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(requested, forKey: .requested)
            try container.encode(state, forKey: .state)
            try container.encode(updatedAt, forKey: .updatedAt)
            try container.encode(attempts, forKey: .attempts)
            if let journalpostId { try container.encode(journalpostId, forKey: .journalpostId) }
            try container.encode(error, forKey: .error)
            try container.encode(waitingSince, forKey: .waitingSince)
        }

        enum CodingKeys: String, CodingKey { case requested, state, updatedAt, attempts, journalpostId, error, waitingSince }
    }

    public struct Channels: Sendable, Equatable, Encodable {
        public var nav: Channel
        public var generalPractitioner: Channel
    }

    public var uuid: UUID
    public var isSentToGeneralPractitionerStatus: Bool
    public var isSentToNavStatus: Bool
    public var state: PlanState
    public var error: ApiError?
    public var notice: PlanNotice?
    public var receivedAt: Date
    public var updatedAt: Date
    public var channels: Channels

    public init(_ record: PlanStatusRecord) {
        uuid = record.uuid
        isSentToGeneralPractitionerStatus = record.generalPractitioner.isSent
        isSentToNavStatus = record.nav.isSent
        state = record.state
        error = record.error
        notice = record.notice
        receivedAt = record.receivedAt
        updatedAt = record.updatedAt
        channels = Channels(
            nav: Channel(record.nav, hasJournalpost: true), generalPractitioner: Channel(record.generalPractitioner, hasJournalpost: false))
    }

    /// The response body.
    public var jsonBody: String { ContractJSONEncoder.document(self) }
}
