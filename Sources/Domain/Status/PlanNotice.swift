import Foundation

/// A non-final remark on a plan's status, from a fixed catalogue like the errors'
/// (``PublicProblems``): what the employer may want to know while the plan is under way.
public struct PlanNotice: Sendable, Equatable, Encodable {
    /// What the remark is about (a stable word, for programs).
    public var type: String
    /// The catalogue's text (for people).
    public var message: String
    /// Since when it applies.
    public var since: Date

    /// A NAV API the plan needs is down; its step waits durably and goes on by itself.
    public static func waitingForNav(since: Date) -> PlanNotice {
        PlanNotice(type: waitingForNavType, message: waitingForNavMessage, since: since)
    }

    public static let waitingForNavType = "WAITING_FOR_NAV_SYSTEMS"
    public static let waitingForNavMessage =
        "The follow-up plan is accepted. NAV's systems are unavailable right now; the plan is delivered automatically when they are back. No action is needed, and it must not be submitted again"
}
