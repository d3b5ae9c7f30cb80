import Synchronization

/// The offsets a consumer has marked processed, per partition it owns: what the next commit
/// will write, and the base of its lag. A revoked partition's entry is dropped, since its new
/// owner decides from the committed offset.
final class ConsumerProgress: Sendable {
    private let stored = Mutex<[TopicPartition: Int64]>([:])
    private let assigned = Mutex(false)

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
