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
///
/// Messages that arrive together (a burst after a start or a rebalance, many in flight at once)
/// share one read: the first is the probe, the others wait for its answer (``admit(rebalances:)``)
/// and then skip, or read for themselves when the group does have parked messages. Without that,
/// every message in flight before the first answer read, half a statement per plan in a burst.
final class NoneParked: Sendable {
    private struct State {
        var parks = 0
        /// The rebalance count and park count at which a read found the group's table empty.
        var confirmed: (rebalances: Int, parks: Int)?
        /// The read in flight that others wait for, and the waiters.
        var probe: Ticket?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// What to hand to ``confirm(_:)`` after a read that begins now.
    struct Ticket: Equatable {
        var rebalances: Int
        var parks: Int
    }

    /// What a message does about the parked-message read.
    enum Admission: Equatable {
        /// Nothing of the group is parked: no read.
        case skip
        /// Read, and ``confirm(_:)`` with the ticket when nothing of the group is parked; a
        /// probe also calls ``finished(_:)`` afterwards, whatever came of it.
        case read(Ticket, probe: Bool)
    }

    /// Nil when a message must be checked: a ticket to confirm with when the check finds nothing
    /// parked in the group. `rebalances` is the consumer's rebalance count now.
    func needsCheck(rebalances: Int) -> Ticket? {
        state.withLock { state in
            if let confirmed = state.confirmed, confirmed.rebalances == rebalances, confirmed.parks == state.parks { return nil }
            return Ticket(rebalances: rebalances, parks: state.parks)
        }
    }

    /// ``needsCheck(rebalances:)``, sharing one read among the messages that ask at once: the
    /// first to ask reads (a probe); who asks while that read is in flight waits for it and
    /// asks again. A probe for an older state (a park or a rebalance since) is not waited for.
    func admit(rebalances: Int) async -> Admission {
        enum Step {
            case answer(Admission)
            case wait(Ticket)
        }
        let step = state.withLock { state -> Step in
            if let confirmed = state.confirmed, confirmed.rebalances == rebalances, confirmed.parks == state.parks { return .answer(.skip) }
            let ticket = Ticket(rebalances: rebalances, parks: state.parks)
            if let probe = state.probe { return probe == ticket ? .wait(ticket) : .answer(.read(ticket, probe: false)) }
            state.probe = ticket
            return .answer(.read(ticket, probe: true))
        }
        switch step {
        case .answer(let admission): return admission
        case .wait(let ticket):
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    guard state.probe == ticket else { return false }
                    state.waiters.append(waiter)
                    return true
                }
                if !waiting { waiter.resume() }
            }
            if let ticket = needsCheck(rebalances: rebalances) { return .read(ticket, probe: false) }
            return .skip
        }
    }

    /// The probe with `ticket` ended (confirmed or not, or given up): its waiters ask again.
    func finished(_ ticket: Ticket) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.probe == ticket else { return [] }
            state.probe = nil
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// How many wait for the probe in flight (for tests).
    var waiterCount: Int { state.withLock { $0.waiters.count } }

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
