import Domain
import Foundation

/// The `NOTIFY` a status change sends in its own transaction (`StatusTransitions`, in the
/// status updater), and the intake's `PlanStatusListener` waits on: a request waiting for its
/// plan's outcome wakes at the commit.
public enum PlanStatusNotification {
    /// The channel `LISTEN`ers wait on; the payload is `<plan uuid>:<state>`
    /// (``payload(_:_:)``), so that a waiter reads the row only once it is final.
    public static let channel = "plan_status"

    /// The payload of a change's notification.
    public static func payload(_ uuid: UUID, _ state: PlanState) -> String {
        "\(uuid.lowercasedString):\(state.rawValue)"
    }

    /// The plan and its new state from a notification's payload; a bare uuid (an older
    /// writer) has no state: it may be anything.
    public static func parse(_ payload: String) -> (uuid: UUID, state: PlanState?)? {
        let parts = payload.split(separator: ":", maxSplits: 1)
        guard let first = parts.first, let uuid = UUID(uuidString: String(first)) else { return nil }
        return (uuid, parts.count == 2 ? PlanState(rawValue: String(parts[1])) : nil)
    }
}
