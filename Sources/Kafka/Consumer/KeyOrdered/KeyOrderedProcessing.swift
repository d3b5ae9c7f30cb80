/// How many messages a member handles at once, and the bounds that keep it safe.
public struct KeyOrderedProcessing: Sendable, Equatable {
    /// Messages taken and not yet finished (at work, or waiting behind their key's message at
    /// work). 1 is the one-at-a-time loop: each message finished before the next is taken.
    public var maximumInFlight: Int
    /// Per partition, how far the newest message taken may run ahead of the oldest
    /// unfinished one before the partition is paused: it bounds what a crash replays.
    public var maximumPartitionSpread: Int64
    /// How long the messages at work in a revoked partition may take to finish before the
    /// partition is handed over (their offsets are then not committed; the next owner handles
    /// them again). Also bounds how long two members may handle one message at once.
    public var revocationGrace: Duration

    public init(maximumInFlight: Int = 256, maximumPartitionSpread: Int64 = 1_000, revocationGrace: Duration = .seconds(10)) {
        precondition(maximumInFlight >= 1, "at least one message in flight")
        precondition(maximumPartitionSpread >= 1, "a partition spread of at least one message")
        self.maximumInFlight = maximumInFlight
        self.maximumPartitionSpread = maximumPartitionSpread
        self.revocationGrace = revocationGrace
    }
}

/// What became of a message handed to a ``KeyOrderedProcessor``'s handler.
public enum MessageOutcome: Sendable, Equatable {
    /// Handled to the end (done, or dead-lettered): its offset may be committed.
    case finished
    /// Given up unfinished (shutting down): never committed past, so it is handled again by
    /// whichever member owns its partition next.
    case abandoned
}

/// What a processor is doing now, for metrics.
public struct KeyOrderedProcessorSnapshot: Sendable, Equatable {
    /// Messages a handler is working on.
    public var atWork: Int
    /// Messages taken and waiting behind a message of the same key.
    public var waiting: Int
    /// How long the oldest message at work has been at it.
    public var oldestAtWork: Duration?
    public var pausedPartitions: Int
}
