/// The bookkeeping of key-ordered concurrent processing, apart from any thread or broker so
/// that its rules can be tested directly:
///
/// - at most one message per key is at work; the others of that key wait behind it, in
///   offset order (a key is the message key within its partition; messages without a key are
///   handled one at a time per partition, the only order Kafka promised for them);
/// - at most `maximumInFlight` messages are taken and unfinished (at work or waiting): when
///   full, the member stops fetching;
/// - per partition, the committable offset is the lowest unfinished one (``PartitionOffsets``).
struct KeyOrderedSchedule: Sendable {
    /// What must be handled in order: the message key within its partition.
    struct OrderingKey: Hashable, Sendable {
        var partition: TopicPartition
        var key: [UInt8]?
    }

    /// A message taken under one assignment of its partition.
    struct Scheduled: Sendable {
        var message: KafkaMessage
        var generation: UInt64
        var partition: TopicPartition { TopicPartition(topic: message.topic, partition: message.partition) }
        var orderingKey: OrderingKey { OrderingKey(partition: partition, key: message.key) }
    }

    let maximumInFlight: Int
    let maximumPartitionSpread: Int64
    private(set) var partitions: [TopicPartition: PartitionOffsets] = [:]
    /// The keys with a message at work, and the messages waiting behind it.
    private var busy: [OrderingKey: [Scheduled]] = [:]
    /// Messages at work per partition, including those of revoked partitions still finishing.
    private(set) var atWork: [TopicPartition: Int] = [:]
    /// Messages taken and not finished: at work or waiting.
    private(set) var taken = 0
    private var generations: UInt64 = 0

    init(maximumInFlight: Int, maximumPartitionSpread: Int64) {
        precondition(maximumInFlight >= 1 && maximumPartitionSpread >= 1)
        self.maximumInFlight = maximumInFlight
        self.maximumPartitionSpread = maximumPartitionSpread
    }

    var isFull: Bool { taken >= maximumInFlight }
    var freeSlots: Int { max(0, maximumInFlight - taken) }
    var messagesAtWork: Int { atWork.values.reduce(0, +) }

    /// The partitions whose unfinished range has grown past the bound: fetch no more of them
    /// until their oldest messages finish.
    var partitionsPastSpread: Set<TopicPartition> {
        Set(partitions.filter { $0.value.spread >= maximumPartitionSpread }.keys)
    }

    mutating func assign(_ assigned: [TopicPartition]) {
        for partition in assigned {
            generations += 1
            partitions[partition] = PartitionOffsets(generation: generations)
        }
    }

    /// Drops the messages of `revoked` that wait behind their key: their partitions' next
    /// owner reads them from the committed offset. Messages at work there may still finish
    /// (and move the offset) until ``forget(_:)``.
    mutating func dropWaiting(in revoked: [TopicPartition]) {
        // A key is a key within its partition: all its waiting messages are of that partition.
        let gone = Set(revoked)
        for (key, waiting) in busy where gone.contains(key.partition) && !waiting.isEmpty {
            taken -= waiting.count
            busy[key] = []
        }
    }

    /// Forgets `revoked`: a message of theirs still at work moves no offset when it finishes.
    mutating func forget(_ revoked: [TopicPartition]) {
        for partition in revoked { partitions[partition] = nil }
    }

    func messagesAtWork(in partitions: [TopicPartition]) -> Int {
        partitions.reduce(0) { $0 + (atWork[$1] ?? 0) }
    }

    /// Takes `message` into the window. Nil for a message of a partition not assigned (any
    /// more): fetched before a revocation served in the same poll, it is its next owner's.
    mutating func take(_ message: KafkaMessage) -> Scheduled? {
        let partition = TopicPartition(topic: message.topic, partition: message.partition)
        guard partitions[partition] != nil else { return nil }
        partitions[partition]!.take(message.offset)
        taken += 1
        return Scheduled(message: message, generation: partitions[partition]!.generation)
    }

    /// Whether `scheduled` (just taken) may start now; otherwise it waits behind its key.
    mutating func startOrWait(_ scheduled: Scheduled) -> Bool {
        let key = scheduled.orderingKey
        if busy[key] != nil {
            busy[key]!.append(scheduled)
            return false
        }
        busy[key] = []
        atWork[scheduled.partition, default: 0] += 1
        return true
    }

    /// The result of finishing a message.
    struct Finished: Sendable {
        /// The next message of the same key, which the caller starts now.
        var next: Scheduled?
        /// The partition's new committable offset, when it moved forward.
        var commit: (partition: TopicPartition, offset: Int64)?
    }

    /// Records that `scheduled` is done with. `completed`: handled to the end (its offset may
    /// be committed). Not completed (abandoned at shutdown): its offset stays unfinished, so it
    /// is never committed past, and its key's waiting messages are dropped with it.
    mutating func finish(_ scheduled: Scheduled, completed: Bool) -> Finished {
        let partition = scheduled.partition
        atWork[partition, default: 1] -= 1
        if atWork[partition] == 0 { atWork[partition] = nil }
        var result = Finished()
        taken -= 1
        let current = partitions[partition]?.generation == scheduled.generation
        if completed, current, let offset = partitions[partition]?.finish(scheduled.message.offset) {
            result.commit = (partition, offset)
        }
        let key = scheduled.orderingKey
        var waiting = busy[key] ?? []
        if !completed {
            taken -= waiting.count
            waiting = []
        }
        if waiting.isEmpty {
            busy[key] = nil
        } else {
            result.next = waiting.removeFirst()
            busy[key] = waiting
            atWork[partition, default: 0] += 1
        }
        return result
    }
}
