import Synchronization

/// A nudge from code that just committed outbox rows to the outbox relay of the same process.
///
/// The relay used to find new rows by polling every 50 ms: ~20 transactions a second per
/// replica with no plan coming in, more than the plans' own work below ~3 plans a second
/// (docs/performance.md). Where every role runs beside the relay, as on NAIS (`--role all` in
/// every replica), the outbox's writers (the intakes' `SubmissionStore`, the public status events
/// of `StatusTransitions`) nudge it instead and it polls once a second otherwise: no event waits
/// longer than it did, and an idle replica polls 20 times less. A relay in a process of its own
/// gets no nudges and polls as before.
///
/// A nudge is a flag, not a queue: any number of commits before the relay looks are one poll.
/// Nudge only after the commit, or the relay may look before the rows are visible.
public final class OutboxWake: Sendable {
    /// The process's: its writers and its relay share it.
    public static let process = OutboxWake()

    private let pending = Atomic<Bool>(false)

    public init() {}

    /// Rows were committed to the outbox just now.
    public func nudge() { pending.store(true, ordering: .releasing) }

    /// Whether a nudge came since the last call; forgets it.
    public func take() -> Bool { pending.exchange(false, ordering: .acquiringAndReleasing) }
}
