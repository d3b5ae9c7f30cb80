import Foundation

/// One plan's row of the status table, as the status resource shows it and as a waiting
/// submission reads it.
public struct PlanStatusRecord: Sendable, Equatable {
    /// One delivery channel's part of the status.
    public struct Channel: Sendable, Equatable {
        public var state: ChannelState
        /// When the channel last changed (sent, failed, or a retry recorded); nil while untouched.
        public var updatedAt: Date?
        public var attempts: Int
        /// The journal post in dokarkiv (NAV channel only).
        public var journalpostID: String?
        public var error: ApiError?
        /// Since when the channel's delivery waits for a NAV API that is down; nil otherwise.
        public var waitingSince: Date?

        public init(
            state: ChannelState, updatedAt: Date? = nil, attempts: Int = 0, journalpostID: String? = nil, error: ApiError? = nil,
            waitingSince: Date? = nil
        ) {
            self.state = state
            self.updatedAt = updatedAt
            self.attempts = attempts
            self.journalpostID = journalpostID
            self.error = error
            self.waitingSince = waitingSince
        }

        /// The public contract's `isSentTo…Status`.
        public var isSent: Bool { state == .sent }
    }

    public var uuid: UUID
    /// The organisation the plan was submitted for (the token's `consumer` claim); only it may read the status.
    public var employerOrgNumber: String
    /// HTTP or the event front door; the latter's publishers get public status events.
    public var frontDoor: PlanSubmission.FrontDoor
    public var state: PlanState
    /// Why the plan was REJECTED or FAILED.
    public var error: ApiError?
    public var nav: Channel
    public var generalPractitioner: Channel
    public var receivedAt: Date
    public var updatedAt: Date
    /// Grows with every change: a reader can tell a new state from one it has seen.
    public var revision: Int64
    /// Since when the lookup (employment, sykmelding, person) waits for a NAV API that is down.
    public var waitingSince: Date?

    public init(
        uuid: UUID, employerOrgNumber: String, frontDoor: PlanSubmission.FrontDoor = .http, state: PlanState, error: ApiError? = nil, nav: Channel,
        generalPractitioner: Channel,
        receivedAt: Date, updatedAt: Date, revision: Int64, waitingSince: Date? = nil
    ) {
        self.uuid = uuid
        self.employerOrgNumber = employerOrgNumber
        self.frontDoor = frontDoor
        self.state = state
        self.error = error
        self.nav = nav
        self.generalPractitioner = generalPractitioner
        self.receivedAt = receivedAt
        self.updatedAt = updatedAt
        self.revision = revision
        self.waitingSince = waitingSince
    }

    /// What the employer is told while a step of the plan waits for NAV's systems: accepted,
    /// delivered when they are back, nothing to do. Nil when nothing waits or the plan is final.
    public var notice: PlanNotice? {
        guard !state.isFinal else { return nil }
        let waits = [
            state == .received ? waitingSince : nil, nav.state == .pending ? nav.waitingSince : nil,
            generalPractitioner.state == .pending ? generalPractitioner.waitingSince : nil,
        ].compactMap { $0 }
        return waits.min().map(PlanNotice.waitingForNav(since:))
    }

    /// The plan's status resource (`GET`; also the `Location` of the intake's answers).
    public static func resourcePath(of uuid: UUID) -> String { "/api/v1/followupplan/\(uuid.lowercasedString)/sendingstatus" }

    /// The public contract's answer body for this plan.
    public var response: FollowUpPlanResponse {
        FollowUpPlanResponse(
            uuid: uuid.lowercasedString, isSentToGeneralPractitionerStatus: generalPractitioner.isSent, isSentToNavStatus: nav.isSent)
    }
}
