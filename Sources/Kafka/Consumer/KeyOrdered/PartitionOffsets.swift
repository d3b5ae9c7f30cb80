/// The messages of one partition a member has taken and not yet finished, and from them the
/// offset it may commit: the lowest unfinished offset, or one past the highest taken when all
/// are finished. Messages finish out of order; the committed offset never passes one that is
/// still at work, so a crash replays it (and the finished ones above it) instead of losing it.
struct PartitionOffsets: Sendable {
    /// Which assignment of the partition this is: a message taken under an earlier one (the
    /// partition was revoked and came back) does not move this one's offsets.
    let generation: UInt64
    /// Ascending. Bounded by the processing window, so a sorted array is cheapest.
    private(set) var unfinished: [Int64] = []
    /// One past the highest offset taken.
    private(set) var nextAfterTaken: Int64?
    /// The last offset handed to librdkafka for committing.
    private(set) var stored: Int64?

    init(generation: UInt64) {
        self.generation = generation
    }

    mutating func take(_ offset: Int64) {
        // Nothing below the first message taken is this member's to commit.
        if stored == nil { stored = offset }
        if let last = unfinished.last, offset < last {
            unfinished.insert(offset, at: insertionIndex(of: offset))
        } else {
            unfinished.append(offset)
        }
        nextAfterTaken = max(nextAfterTaken ?? offset + 1, offset + 1)
    }

    /// Marks `offset` finished; returns the new offset to commit when it moved forward.
    mutating func finish(_ offset: Int64) -> Int64? {
        let index = insertionIndex(of: offset)
        guard index < unfinished.count, unfinished[index] == offset else { return nil }
        unfinished.remove(at: index)
        guard let commit = committable, commit > (stored ?? Int64.min) else { return nil }
        stored = commit
        return commit
    }

    /// The offset the next commit may write: nothing below it is unfinished.
    var committable: Int64? { unfinished.first ?? nextAfterTaken }

    /// How many offsets lie between the oldest unfinished message and the newest taken: the
    /// messages a crash would replay. Bounded by pausing the partition.
    var spread: Int64 {
        guard let first = unfinished.first, let next = nextAfterTaken else { return 0 }
        return next - first
    }

    private func insertionIndex(of offset: Int64) -> Int {
        var low = 0
        var high = unfinished.count
        while low < high {
            let middle = (low + high) / 2
            if unfinished[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
