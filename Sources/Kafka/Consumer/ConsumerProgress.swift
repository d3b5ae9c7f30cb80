import Synchronization

/// The offsets a consumer has marked processed, per partition it owns: what the next commit
/// will write, and the base of its lag. A revoked partition's entry is dropped, since its new
/// owner decides from the committed offset.
final class ConsumerProgress: Sendable {
    private let stored = Mutex<[TopicPartition: Int64]>([:])
    private let assigned = Mutex(false)
    private let rebalances = Atomic<Int>(0)
    private let observer = Mutex<(any RebalanceObserver)?>(nil)

    /// Who is told of assignments and revocations (the ``KeyOrderedProcessor`` at work, if any).
    func observe(with observer: (any RebalanceObserver)?) { self.observer.withLock { $0 = observer } }

    /// Called by the rebalance callback on the poll thread.
    func partitionsAssigned(_ partitions: [TopicPartition]) {
        rebalances.add(1, ordering: .sequentiallyConsistent)
        recordAssignment()
        observer.withLock { $0 }?.partitionsAssigned(partitions)
    }

    /// Called by the rebalance callback on the poll thread, before the final commit of
    /// `partitions`: an observer may hold the thread (bounded) to finish their messages.
    func partitionsRevoking(_ partitions: [TopicPartition]) {
        rebalances.add(1, ordering: .sequentiallyConsistent)
        observer.withLock { $0 }?.partitionsRevoking(partitions)
        forget(partitions)
    }

    /// How many assignments and revocations this member has had: a value that changed means
    /// the partitions it owns may have changed.
    var rebalanceCount: Int { rebalances.load(ordering: .sequentiallyConsistent) }

    /// Whether the group has given this member an assignment (possibly empty) at least once.
    var hasBeenAssigned: Bool { assigned.withLock { $0 } }

    func recordAssignment() { assigned.withLock { $0 = true } }

    func record(_ partition: TopicPartition, nextOffset: Int64) {
        stored.withLock { $0[partition] = max($0[partition] ?? nextOffset, nextOffset) }
    }

    func forget(_ partitions: [TopicPartition]) {
        stored.withLock { stored in
            for partition in partitions { stored[partition] = nil }
        }
    }

    func nextOffset(of partition: TopicPartition) -> Int64? {
        stored.withLock { $0[partition] }
    }
}

/// Told by a consumer of its rebalances, on its poll thread, between polls.
protocol RebalanceObserver: AnyObject, Sendable {
    func partitionsAssigned(_ partitions: [TopicPartition])
    /// May block (bounded) until the messages of `partitions` at work are finished; the
    /// offsets stored by then are committed right after.
    func partitionsRevoking(_ partitions: [TopicPartition])
}
