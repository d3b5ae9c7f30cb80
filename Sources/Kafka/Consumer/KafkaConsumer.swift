import CRdKafka
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A member of a Kafka consumer group, whose messages are an `AsyncSequence`.
///
/// At-least-once: an offset is committed only after the caller marked its message processed
/// (``markProcessed(_:)``); librdkafka commits marked offsets every `autoCommitInterval`, on
/// every partition revocation and on close. A message taken but not marked is delivered again
/// to whichever member owns its partition next.
///
/// Threading: one thread of the consumer's own polls librdkafka, and only while the sequence
/// asks for a message, so librdkafka's prefetch queue is the only buffer and rebalances are
/// served between messages. A second thread runs commits, so a commit never waits for a poll.
///
/// As a `Service` it runs until graceful shutdown, then closes: the sequence ends, marked
/// offsets are committed, and the member leaves the group. List it before the service that
/// iterates it, so that service stops first.
public final class KafkaConsumer: Service, Sendable {
    private let handle: RdKafkaHandle
    private let progress: ConsumerProgress
    private let pollThread = BlockingCallThread()
    private let controlThread = BlockingCallThread()
    private let closing = Mutex(false)
    /// A message was handed out and neither marked processed nor followed by a request for the
    /// next one: its handler is still at work.
    private let messageInHand = Mutex(false)
    private let logger: Logger
    /// How long closing waits for the group to let this member leave (``leaveGroup(_:within:logger:)``).
    private let leaveLimit: Duration

    public init(configuration: KafkaConfiguration, consumer: KafkaConsumerConfiguration, logger: Logger) throws {
        let progress = ConsumerProgress()
        let properties = configuration.librdkafkaProperties(for: .consumer, withDefaults: consumer.librdkafkaProperties)
        self.handle = try RdKafkaHandle(kind: RD_KAFKA_CONSUMER, properties: properties, logger: logger, progress: progress) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, Rebalance.callback)
        }
        self.progress = progress
        self.logger = logger
        self.leaveLimit = consumer.leaveLimit
        rd_kafka_poll_set_consumer(handle.pointer)

        let topics = rd_kafka_topic_partition_list_new(Int32(consumer.topics.count))
        defer { rd_kafka_topic_partition_list_destroy(topics) }
        for topic in consumer.topics { rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA) }
        let error = rd_kafka_subscribe(handle.pointer, topics)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(error, operation: "subscribe to \(consumer.topics.joined(separator: ", "))")
        }
    }

    /// The messages of the subscribed topics, in order within each partition. Ends when the
    /// consumer closes; a cancelled iteration ends without taking a message.
    public var messages: Messages { Messages(consumer: self) }

    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = KafkaMessage
        let consumer: KafkaConsumer

        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer
            public mutating func next() async throws -> KafkaMessage? { try await consumer.next() }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: consumer) }
    }

    /// Marks `message` processed: its offset will be committed. Call it after the work the
    /// message asked for is durable. Marking a message of a partition this member no longer
    /// owns does nothing (its new owner gets it again: at-least-once).
    public func markProcessed(_ message: KafkaMessage) throws {
        if try store(TopicPartition(topic: message.topic, partition: message.partition), nextOffset: message.offset + 1) {
            messageInHand.withLock { $0 = false }
        }
    }

    /// Stores `nextOffset` as the partition's offset to commit (everything below it is
    /// processed). False when the partition is no longer assigned (its new owner gets those
    /// messages again: at-least-once).
    @discardableResult
    func store(_ partition: TopicPartition, nextOffset: Int64) throws -> Bool {
        let list = rd_kafka_topic_partition_list_new(1)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!
        element.pointee.offset = nextOffset
        let error = rd_kafka_offsets_store(handle.pointer, list)
        switch error {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            progress.record(partition, nextOffset: nextOffset)
            return true
        case RD_KAFKA_RESP_ERR__STATE, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            logger.notice(
                "processed messages of a partition no longer assigned; its new owner will process them again",
                metadata: ["kafka.partition": "\(partition)", "kafka.offset": "\(nextOffset - 1)"])
            return false
        default:
            throw KafkaError(error, operation: "store offset \(nextOffset) of \(partition)")
        }
    }

    /// Commits the marked offsets now and waits for the broker's answer.
    public func commit() async throws {
        let handle = self.handle
        let error = try await controlThread.run { rd_kafka_commit(handle.pointer, nil, 0) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError(error, operation: "commit")
        }
    }

    /// How many assignments and revocations this member has had so far: when it changes, the
    /// partitions this member owns may have changed (a cache of what holds for them is stale).
    public var rebalanceCount: Int { progress.rebalanceCount }

    /// Stops fetching from the partitions assigned now (for example while a dependency is
    /// down). A rebalance assigns partitions unpaused.
    public func pause() throws {
        try withAssignment { list in rd_kafka_pause_partitions(handle.pointer, list) }
    }

    public func resume() throws {
        try withAssignment { list in rd_kafka_resume_partitions(handle.pointer, list) }
    }

    /// Stops fetching from `partitions` (backpressure). A partition no longer assigned is
    /// ignored; a rebalance assigns partitions unpaused.
    func pause(_ partitions: some Collection<TopicPartition>) {
        withList(partitions) { rd_kafka_pause_partitions(handle.pointer, $0) }
    }

    /// Fetches from `partitions` again, from the message after the last one handed out.
    func resume(_ partitions: some Collection<TopicPartition>) {
        withList(partitions) { rd_kafka_resume_partitions(handle.pointer, $0) }
    }

    private func withList(
        _ partitions: some Collection<TopicPartition>, _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> rd_kafka_resp_err_t
    ) {
        guard !partitions.isEmpty else { return }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
        _ = body(list)
    }

    /// Per assigned partition: the high watermark minus the next offset to process (the
    /// marked one, or the fetch position before anything was marked). Cheap: local state only.
    public func lag() throws -> [PartitionLag] {
        var lags: [PartitionLag] = []
        try withAssignment { list in
            rd_kafka_position(handle.pointer, list)
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                let partition = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
                var low: Int64 = 0
                var high: Int64 = 0
                guard rd_kafka_get_watermark_offsets(handle.pointer, element.topic, element.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
                    high >= 0
                else { continue }
                let next = progress.nextOffset(of: partition) ?? (element.offset >= 0 ? element.offset : low)
                lags.append(PartitionLag(topicPartition: partition, lag: max(0, high - next)))
            }
            return RD_KAFKA_RESP_ERR_NO_ERROR
        }
        return lags
    }

    /// Whether this member has read everything its assigned partitions held when asked: for
    /// each partition the broker's high watermark (queried, not cached) against the next offset
    /// to read (the last message taken, else the committed offset, else the partition's start).
    /// False while no partition is assigned yet. For tools that read a topic to its end once.
    public func isCaughtUp(timeout: Duration = .seconds(5)) async throws -> Bool {
        let handle = self.handle
        let progress = self.progress
        let milliseconds = Int32(timeout / .milliseconds(1))
        return try await controlThread.run {
            try Self.readingAssignment(of: handle) { list in
                guard list.pointee.cnt > 0 else { return false }
                rd_kafka_position(handle.pointer, list)
                let committed = rd_kafka_topic_partition_list_copy(list)!
                defer { rd_kafka_topic_partition_list_destroy(committed) }
                let committedError = rd_kafka_committed(handle.pointer, committed, milliseconds)
                guard committedError == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(committedError, operation: "read committed offsets") }
                for index in 0..<Int(list.pointee.cnt) {
                    let element = list.pointee.elems[index]
                    var low: Int64 = 0
                    var high: Int64 = 0
                    let query = rd_kafka_query_watermark_offsets(handle.pointer, element.topic, element.partition, &low, &high, milliseconds)
                    guard query == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(query, operation: "query the end of a partition") }
                    let partition = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
                    let committedOffset = committed.pointee.elems[index].offset
                    let next =
                        progress.nextOffset(of: partition)
                        ?? (element.offset >= 0 ? element.offset : (committedOffset >= 0 ? committedOffset : low))
                    if next < high { return false }
                }
                return true
            }
        }
    }

    /// The group's committed offsets (as the broker has them) of the partitions assigned now.
    public func committedOffsets(timeout: Duration = .seconds(5)) async throws -> [TopicPartition: Int64] {
        let handle = self.handle
        let milliseconds = Int32(timeout / .milliseconds(1))
        return try await controlThread.run {
            try Self.readingAssignment(of: handle) { list in
                let committed = rd_kafka_committed(handle.pointer, list, milliseconds)
                guard committed == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(committed, operation: "read committed offsets") }
                var offsets: [TopicPartition: Int64] = [:]
                for element in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) {
                    offsets[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
                }
                return offsets
            }
        }
    }

    /// Ends the sequence, commits the marked offsets and leaves the group. Idempotent.
    ///
    /// With a `grace`, a message in hand (handed out, not yet marked processed) gets up to that
    /// long to be marked first, so that its offset is in the final commit instead of being
    /// delivered again to the next member. Graceful shutdown (``run()``) gives it 10 s.
    public func close(waitingForMessageInHand grace: Duration = .zero) async {
        let wasClosing = closing.withLock { value in
            defer { value = true }
            return value
        }
        guard !wasClosing else { return }
        let handle = self.handle
        let logger = self.logger
        let progress = self.progress
        let leaveLimit = self.leaveLimit
        // On the poll thread: it runs once the poll in progress (if any) has returned.
        _ = try? await pollThread.run { [messageInHand = InHandFlag(consumer: self)] in
            let deadline = ContinuousClock.now + grace
            while messageInHand.isSet && ContinuousClock.now < deadline { usleep(5_000) }
            // One budget for joining, committing and leaving: the process's consumers close one
            // after another within the shutdown's grace.
            let leaveBy = ContinuousClock.now + leaveLimit
            guard Self.finishJoining(handle, progress: progress, within: leaveLimit, logger: logger) else { return }
            BoundedCommit.commitLogging(handle.pointer, within: (leaveBy - .now) / 2, what: "the final commit", logger: logger)
            Self.leaveGroup(handle, within: max(leaveBy - .now, .milliseconds(200)), logger: logger)
        }
    }

    /// Leaves the group (revoking this member's partitions through the rebalance callback, which
    /// commits), waiting at most `limit`. A member normally leaves in milliseconds; but while a
    /// rebalance waits for a member that died (its session has not expired yet: up to
    /// `session.timeout.ms`), librdkafka's blocking close waits for that rebalance too, and a
    /// pod told to stop during a crash elsewhere was ended by the watchdog. Past the limit the
    /// member stops without leaving: its marked offsets are already committed, and the group
    /// hands its partitions on when its session expires, as for a crash.
    private static func leaveGroup(_ handle: RdKafkaHandle, within limit: Duration, logger: Logger) {
        let queue = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(queue) }
        if let error = rd_kafka_consumer_close_queue(handle.pointer, queue) {
            logger.warning("leaving the group failed", metadata: ["kafka.error": "\(String(cString: rd_kafka_error_string(error)))"])
            rd_kafka_error_destroy(error)
            handle.abandonConsumerClose()
            return
        }
        let deadline = ContinuousClock.now + limit
        while rd_kafka_consumer_closed(handle.pointer) == 0 {
            guard ContinuousClock.now < deadline else {
                logger.warning(
                    "the group did not let this member leave in time (a rebalance waits, probably for a member that died); stopping without leaving",
                    metadata: ["limit": "\(limit)"])
                handle.abandonConsumerClose()
                return
            }
            // The close's rebalance (the revocation, with its commit) comes as an event here and is
            // handed to the rebalance callback; anything else is dropped. (Serving this queue
            // with rd_kafka_queue_poll_callback aborts on an op that has no callback.)
            guard let event = rd_kafka_queue_poll(queue, 50) else { continue }
            defer { rd_kafka_event_destroy(event) }
            if rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE {
                Rebalance.callback(handle.pointer, rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event), nil)
            }
        }
    }

    /// Waits (serving rebalance callbacks, bounded) for the first assignment of a member that
    /// has joined the group but not yet been assigned, before it may be destroyed.
    ///
    /// librdkafka 2.0.2, Debian bookworm's, aborts the whole process when a cooperative-sticky
    /// member is destroyed in that window (librdkafka issue #4312, fixed in 2.3.0): the
    /// assignor's state is only created with the first assignment, and the destructor asserts
    /// it exists. A member that has not joined yet (no member id) is safe to destroy at once.
    /// Messages fetched meanwhile are dropped unmarked, so they go to the partitions' next owner.
    ///
    /// Waits at most `limit` (a first assignment can wait on a rebalance that waits on a member
    /// that died); then the handle is abandoned, never closed nor destroyed (``RdKafkaHandle/abandonConsumerClose()``):
    /// false, and the caller stops without leaving. Nothing of it was processed, so nothing is lost.
    private static func finishJoining(_ handle: RdKafkaHandle, progress: ConsumerProgress, within limit: Duration, logger: Logger) -> Bool {
        guard !progress.hasBeenAssigned, let id = rd_kafka_memberid(handle.pointer) else { return true }
        let joined = id.pointee != 0
        rd_kafka_mem_free(nil, id)
        guard joined else { return true }
        let deadline = ContinuousClock.now + limit
        while !progress.hasBeenAssigned && ContinuousClock.now < deadline {
            if let message = rd_kafka_consumer_poll(handle.pointer, 50) { rd_kafka_message_destroy(message) }
        }
        guard progress.hasBeenAssigned else {
            logger.warning(
                "the member's first assignment did not come in time (a rebalance waits, probably for a member that died); stopping without leaving",
                metadata: ["limit": "\(limit)"])
            handle.abandonConsumerClose()
            return false
        }
        return true
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await close(waitingForMessageInHand: .seconds(10))
    }

    private func next() async throws -> KafkaMessage? {
        // Asking for the next message means the one before is handled (or given up).
        messageInHand.withLock { $0 = false }
        if closing.withLock({ $0 }) { return nil }
        let request = PollRequest()
        let handle = self.handle
        let logger = self.logger
        return try await withTaskCancellationHandler {
            try await pollThread.run { [closing = ClosingFlag(consumer: self)] in
                while !closing.isSet && !request.isCancelled {
                    guard let message = rd_kafka_consumer_poll(handle.pointer, 100) else { continue }
                    defer { rd_kafka_message_destroy(message) }
                    if let taken = try Self.take(message, logger: logger) {
                        closing.markMessageInHand()
                        return taken
                    }
                }
                return nil
            }
        } onCancel: {
            request.cancel()
        }
    }

    /// Up to `count` messages: waits up to `timeout` for the first, then takes what is
    /// already fetched without waiting. Empty on timeout or when closing. Serves rebalances
    /// (on this consumer's poll thread), also while every partition is paused.
    func poll(upTo count: Int, timeout: Duration) async throws -> [KafkaMessage] {
        if closing.withLock({ $0 }) { return [] }
        let handle = self.handle
        let logger = self.logger
        let milliseconds = Int32(timeout / .milliseconds(1))
        return try await pollThread.run { [closing = ClosingFlag(consumer: self)] in
            var messages: [KafkaMessage] = []
            var wait = milliseconds
            while messages.count < max(count, 1) && !closing.isSet {
                guard let message = rd_kafka_consumer_poll(handle.pointer, wait) else { break }
                defer { rd_kafka_message_destroy(message) }
                wait = 0
                if let taken = try Self.take(message, logger: logger) { messages.append(taken) }
            }
            return messages
        }
    }

    /// What a poll returned: a message (copied), nothing (the end of a partition, or transport
    /// trouble librdkafka recovers from by itself, logged), or a fatal error (thrown).
    private static func take(_ message: UnsafeMutablePointer<rd_kafka_message_t>, logger: Logger) throws -> KafkaMessage? {
        switch message.pointee.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return KafkaMessage(copying: message)
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            return nil
        case RD_KAFKA_RESP_ERR__FATAL:
            throw KafkaError(message.pointee.err, operation: "consume")
        default:
            logger.warning("consumer error", metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(message.pointee.err)))"])
            return nil
        }
    }

    /// Tells `observer` of this member's rebalances (one observer at a time).
    func observeRebalances(with observer: (any RebalanceObserver)?) { progress.observe(with: observer) }

    /// The member id the group coordinator gave this member; nil until its first JoinGroup
    /// answer.
    public var memberID: String? {
        guard let id = rd_kafka_memberid(handle.pointer) else { return nil }
        defer { rd_kafka_mem_free(nil, id) }
        let text = String(cString: id)
        return text.isEmpty ? nil : text
    }

    var isClosing: Bool { closing.withLock { $0 } }
    var hasMessageInHand: Bool { messageInHand.withLock { $0 } }
    func markMessageInHand() { messageInHand.withLock { $0 = true } }

    private func withAssignment(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> rd_kafka_resp_err_t) throws {
        let result = try Self.readingAssignment(of: handle, body)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(result, operation: "change the assignment") }
    }

    /// Runs `body` on a copy of the partitions assigned now (freed afterwards).
    private static func readingAssignment<T>(
        of handle: RdKafkaHandle, _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> T
    ) throws -> T {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let error = rd_kafka_assignment(handle.pointer, &list)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(error, operation: "read the assignment") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return try body(list)
    }
}

/// Lets a poll in progress see a cancellation of the task that asked for it.
private final class PollRequest: Sendable {
    private let cancelled = Mutex(false)
    var isCancelled: Bool { cancelled.withLock { $0 } }
    func cancel() { cancelled.withLock { $0 = true } }
}

/// Reads the consumer's closing flag from the poll thread without keeping the consumer alive.
private struct ClosingFlag: Sendable {
    weak var consumer: KafkaConsumer?
    var isSet: Bool { consumer?.isClosing ?? true }
    func markMessageInHand() { consumer?.markMessageInHand() }
}

/// Whether a handed-out message still waits to be marked processed (see ``KafkaConsumer/close(waitingForMessageInHand:)``).
private struct InHandFlag: Sendable {
    weak var consumer: KafkaConsumer?
    var isSet: Bool { consumer?.hasMessageInHand ?? false }
}
