import Synchronization

/// Whether this member may skip the "is a message of this plan parked?" read: it may once a
/// read found no parked message of its group at all, until this member parks one or its
/// partitions change. Saves a statement per message on a quiet day, and costs nothing during an
/// outage (every message is checked, as before).
///
/// Only the member that owns a plan's partition parks that plan's messages (the parked-message
/// runners re-run, reschedule or remove them, never add), so a message parked elsewhere can only
/// come with a partition, which changes the consumer's rebalance count. A park here bumps
/// ``parks`` after its row is committed; a confirmation counts only when no park happened since
/// its read began, so a read that raced a park never hides it.
final class NoneParked: Sendable {
    private struct State {
        var parks = 0
        /// The rebalance count and park count at which a read found the group's table empty.
        var confirmed: (rebalances: Int, parks: Int)?
    }

    private let state = Mutex(State())

    /// What to hand to ``confirm(_:)`` after a read that begins now.
    struct Ticket {
        var rebalances: Int
        var parks: Int
    }

    /// Nil when a message must be checked: a ticket to confirm with when the check finds nothing
    /// parked in the group. `rebalances` is the consumer's rebalance count now.
    func needsCheck(rebalances: Int) -> Ticket? {
        state.withLock { state in
            if let confirmed = state.confirmed, confirmed.rebalances == rebalances, confirmed.parks == state.parks { return nil }
            return Ticket(rebalances: rebalances, parks: state.parks)
        }
    }

    /// A read begun with `ticket` found no parked message of the group.
    func confirm(_ ticket: Ticket) {
        state.withLock { state in
            guard ticket.parks == state.parks else { return }
            state.confirmed = (ticket.rebalances, ticket.parks)
        }
    }

    /// This member parked a message (its row is committed).
    func parked() {
        state.withLock { $0.parks += 1 }
    }
}
