import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Handles a consumer's messages concurrently while keeping the order that matters: the order
/// of one key's messages (a plan's events all carry its uuid as key). The idea of Confluent's
/// Parallel Consumer, on our wrapper.
///
/// - Up to ``KeyOrderedProcessing/maximumInFlight`` messages are taken at once; a message
///   whose key has one at work waits behind it, so a slow or failing message holds only its
///   own key, never its partition.
/// - Messages finish out of order; per partition the offset stored for commit is the lowest
///   unfinished one, so nothing is skipped. After a crash the finished ones above it are
///   handled again: handlers must be idempotent (ours are), and the replay is bounded by
///   ``KeyOrderedProcessing/maximumPartitionSpread``.
/// - Backpressure: a full window pauses every partition (resumed at three quarters), a
///   partition past the spread bound is paused alone. Paused, the poll thread keeps serving
///   rebalances; nothing is buffered beyond the window.
/// - On revocation, the revoked partitions' waiting messages are dropped and those at work get
///   ``KeyOrderedProcessing/revocationGrace`` to finish before the commit; a message still at
///   work after that moves no offset, so its partition's next owner handles it again.
/// - On graceful shutdown it stops taking messages, lets those at work end (the handler cuts
///   its retry pauses short and answers ``MessageOutcome/abandoned``), and returns; the
///   consumer, listed before it, then commits and leaves the group.
public final class KeyOrderedProcessor: RebalanceObserver, Sendable {
    public typealias Handler = @Sendable (KafkaMessage) async -> MessageOutcome

    private struct State: Sendable {
        var schedule: KeyOrderedSchedule
        var paused: Set<TopicPartition> = []
        var pausedForWindow = false
        var startedAt: [KeyOrderedSchedule.OrderingKey: ContinuousClock.Instant] = [:]
    }

    /// How long a full window waits for a free slot before it pauses every partition.
    static let fullWindowWait: Duration = .milliseconds(200)

    private let consumer: KafkaConsumer
    private let settings: KeyOrderedProcessing
    private let state: Mutex<State>
    private let slotFreed = WakeUp()
    private let logger: Logger

    public init(consumer: KafkaConsumer, settings: KeyOrderedProcessing, logger: Logger) {
        self.consumer = consumer
        self.settings = settings
        self.state = Mutex(
            State(
                schedule: KeyOrderedSchedule(
                    maximumInFlight: settings.maximumInFlight, maximumPartitionSpread: settings.maximumPartitionSpread)))
        self.logger = logger
    }

    /// Takes and handles messages until graceful shutdown or cancellation, then waits for the
    /// messages at work. Throws only when the consumer fails for good.
    public func run(_ handler: @escaping Handler) async throws {
        consumer.observeRebalances(with: self)
        defer { consumer.observeRebalances(with: nil) }
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                var room = updatePauses(pauseWhenFull: false)
                if room == 0 && !state.withLock({ $0.pausedForWindow }) {
                    // Full: a slot usually frees soon. If not, pause every partition and keep
                    // polling, so that rebalances are served meanwhile.
                    let deadline = ContinuousClock.now + Self.fullWindowWait
                    while state.withLock({ $0.schedule.isFull }) && ContinuousClock.now < deadline {
                        await slotFreed.wait(timeout: deadline - ContinuousClock.now)
                    }
                    room = updatePauses(pauseWhenFull: true)
                }
                // Short polls while paused for the window, so a freed slot is used soon.
                let messages: [KafkaMessage]
                do {
                    messages = try await consumer.poll(upTo: room, timeout: room == 0 ? .milliseconds(10) : .milliseconds(100))
                } catch is CancellationError {
                    break
                }
                for message in messages {
                    let start = state.withLock { state -> KeyOrderedSchedule.Scheduled? in
                        guard let scheduled = state.schedule.take(message) else { return nil }
                        return state.schedule.startOrWait(scheduled) ? scheduled : nil
                    }
                    if let start { group.addTask { await self.work(from: start, handler) } }
                }
            }
        }
    }

    public var snapshot: KeyOrderedProcessorSnapshot {
        state.withLock { state in
            let atWork = state.schedule.messagesAtWork
            let now = ContinuousClock.now
            return KeyOrderedProcessorSnapshot(
                atWork: atWork, waiting: state.schedule.taken - atWork,
                oldestAtWork: state.startedAt.values.min().map { now - $0 }, pausedPartitions: state.paused.count)
        }
    }

    /// Handles `first`, then each message that waited behind it for the same key.
    private func work(from first: KeyOrderedSchedule.Scheduled, _ handler: Handler) async {
        var current = first
        while true {
            let key = current.orderingKey
            state.withLock { $0.startedAt[key] = .now }
            // Shutting down: what has not started is left to the next owner.
            let outcome: MessageOutcome = Task.isShuttingDownGracefully || Task.isCancelled ? .abandoned : await handler(current.message)
            let finished = state.withLock { state in
                state.startedAt[key] = nil
                let finished = state.schedule.finish(current, completed: outcome == .finished)
                // Stored under the lock: two messages finishing at once must reach librdkafka in
                // the order their offsets were computed, or a lower one would overwrite a higher.
                if let commit = finished.commit { store(commit) }
                return finished
            }
            slotFreed.signal()
            guard let next = finished.next else { return }
            current = next
        }
    }

    private func store(_ commit: (partition: TopicPartition, offset: Int64)) {
        do {
            try consumer.store(commit.partition, nextOffset: commit.offset)
        } catch {
            logger.error("storing an offset failed; the messages below it are handled again", metadata: ["error": "\(error)"])
        }
    }

    /// Pauses and resumes partitions for the window and the spread bound; returns the free
    /// slots of the window. A full window pauses every partition only with `pauseWhenFull`.
    private func updatePauses(pauseWhenFull: Bool) -> Int {
        let (pause, resume, room) = state.withLock { state in
            let schedule = state.schedule
            if schedule.isFull {
                if pauseWhenFull { state.pausedForWindow = true }
            } else if schedule.taken <= schedule.maximumInFlight * 3 / 4 {
                state.pausedForWindow = false
            }
            let wanted = state.pausedForWindow ? Set(schedule.partitions.keys) : schedule.partitionsPastSpread
            let pause = wanted.subtracting(state.paused)
            let resume = state.paused.subtracting(wanted)
            state.paused = wanted
            return (pause, resume, state.pausedForWindow ? 0 : schedule.freeSlots)
        }
        consumer.pause(pause)
        consumer.resume(resume)
        return room
    }

    func partitionsAssigned(_ partitions: [TopicPartition]) {
        state.withLock { state in
            state.schedule.assign(partitions)
            // A rebalance assigns partitions unpaused.
            state.paused.subtract(partitions)
        }
    }

    func partitionsRevoking(_ partitions: [TopicPartition]) {
        state.withLock { state in
            state.schedule.dropWaiting(in: partitions)
            state.paused.subtract(partitions)
        }
        let deadline = ContinuousClock.now + settings.revocationGrace
        while state.withLock({ $0.schedule.messagesAtWork(in: partitions) }) > 0 && ContinuousClock.now < deadline {
            usleep(2_000)
        }
        let unfinished = state.withLock { state in
            state.schedule.forget(partitions)
            return state.schedule.messagesAtWork(in: partitions)
        }
        if unfinished > 0 {
            logger.warning(
                "messages of revoked partitions still at work after the grace; their next owner handles them again",
                metadata: ["kafka.partitions": "\(partitions)", "messages": "\(unfinished)", "grace": "\(settings.revocationGrace)"])
        }
    }
}
