import CRdKafka
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Sends messages to Kafka and tells the caller where the broker stored each one.
///
/// Idempotent by default (`enable.idempotence=true`, `acks=all`): librdkafka retries
/// transient failures without duplicating or reordering a partition's messages. A message
/// counts as sent only once its delivery report says so. When librdkafka's local queue is full
/// a sender waits for room (backpressure) instead of failing.
///
/// As a `Service` it runs until graceful shutdown, then flushes what is queued (bounded by
/// `shutdownFlushTimeout`) and closes; list it before the services that send, so it stops
/// after them.
public final class KafkaProducer: Service, Sendable {
    private let handle: RdKafkaHandle
    private let pollThread: PollThread
    private let queueSpace: QueueSpace
    private let blockingCalls = BlockingCallThread()
    private let closed = Mutex(false)
    private let shutdownFlushTimeout: Duration
    private let logger: Logger

    /// Our defaults, which `configuration.properties` may override.
    static let defaultProperties: [(String, String)] = [
        ("enable.idempotence", "true"),
        ("acks", "all"),
    ]

    public init(configuration: KafkaConfiguration, shutdownFlushTimeout: Duration = .seconds(10), logger: Logger) throws {
        let properties = Self.defaultProperties.filter { configuration.properties[$0.0] == nil } + configuration.librdkafkaProperties
        let handle = try RdKafkaHandle(kind: RD_KAFKA_PRODUCER, properties: properties, logger: logger) { conf in
            rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR))
        }
        let queueSpace = QueueSpace()
        self.handle = handle
        self.queueSpace = queueSpace
        self.shutdownFlushTimeout = shutdownFlushTimeout
        self.logger = logger
        self.pollThread = PollThread(queue: rd_kafka_queue_get_main(handle.pointer), name: "kafka-producer-poll") { event in
            Self.handle(event: event, queueSpace: queueSpace, logger: logger)
        }
    }

    /// Sends one message and returns once the broker acknowledged it.
    @discardableResult
    public func send(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) async throws -> DeliveryReport {
        try await enqueue(topic: topic, key: key, value: value, headers: headers).report()
    }

    /// Hands one message to librdkafka and returns without waiting for the broker, so that a
    /// caller can pipeline: messages enqueued one after another from one task keep their order
    /// within a partition. Waits while the local queue is full. Await ``Delivery/report()``.
    public func enqueue(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) async throws -> Delivery {
        while true {
            if closed.withLock({ $0 }) {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__DESTROY.rawValue, operation: "send to \(topic)", reason: "the producer is closed")
            }
            let generation = queueSpace.generation
            let delivery = Delivery()
            let error = produce(topic: topic, key: key, value: value, headers: headers, delivery: delivery)
            switch error {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                return delivery
            case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                await queueSpace.wait(after: generation)
                try Task.checkCancellation()
            default:
                throw KafkaError(error, operation: "send to \(topic)")
            }
        }
    }

    /// Waits until every queued message has its delivery report, or `timeout` passed.
    public func flush(timeout: Duration) async throws {
        let handle = self.handle
        let error = try await blockingCalls.run { rd_kafka_flush(handle.pointer, timeout.milliseconds) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(error, operation: "flush") }
    }

    /// Flushes, fails what could not be delivered in time (their senders get `_PURGE_QUEUE` or
    /// `_PURGE_INFLIGHT`), and stops the poll thread. Further sends throw. Idempotent.
    public func close(flushTimeout: Duration) async {
        let wasClosed = closed.withLock { value in
            defer { value = true }
            return value
        }
        guard !wasClosed else { return }
        queueSpace.madeRoom()  // senders waiting for room see `closed` and give up
        do {
            try await flush(timeout: flushTimeout)
        } catch {
            let undelivered = rd_kafka_outq_len(handle.pointer)
            logger.error("closing the producer with undelivered messages", metadata: ["kafka.undelivered": "\(undelivered)"])
            rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            try? await flush(timeout: .seconds(5))  // delivers the purge reports to their senders
        }
        let pollThread = self.pollThread
        _ = try? await blockingCalls.run { pollThread.stopAndWait() }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await close(flushTimeout: shutdownFlushTimeout)
    }

    private func produce(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], delivery: Delivery) -> rd_kafka_resp_err_t {
        let opaque = Unmanaged.passRetained(delivery)
        let error = withProduceArguments(topic: topic, key: key, value: value, headers: headers, opaque: opaque.toOpaque()) { parts in
            let failure = rd_kafka_produceva(handle.pointer, parts.baseAddress, parts.count)
            defer { if let failure { rd_kafka_error_destroy(failure) } }
            return failure.map { rd_kafka_error_code($0) } ?? RD_KAFKA_RESP_ERR_NO_ERROR
        }
        // librdkafka keeps the opaque (and reports on it) only when it accepted the message.
        if error != RD_KAFKA_RESP_ERR_NO_ERROR { opaque.release() }
        return error
    }

    /// Runs on the poll thread, and destroys the event.
    private static func handle(event: OpaquePointer, queueSpace: QueueSpace, logger: Logger) {
        let type = rd_kafka_event_type(event)
        defer {
            rd_kafka_event_destroy(event)
            // librdkafka frees the queue room of delivered messages when their event is
            // destroyed; a sender woken earlier could find the queue still full and then wait
            // for a report that never comes.
            if type == RD_KAFKA_EVENT_DR { queueSpace.madeRoom() }
        }
        switch type {
        case RD_KAFKA_EVENT_DR:
            while let message = rd_kafka_event_message_next(event) {
                guard let opaque = message.pointee._private else { continue }
                let delivery = Unmanaged<Delivery>.fromOpaque(opaque).takeRetainedValue()
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    delivery.complete(.success(DeliveryReport(
                        topic: String(cString: rd_kafka_topic_name(message.pointee.rkt)),
                        partition: message.pointee.partition, offset: message.pointee.offset)))
                } else {
                    delivery.complete(.failure(KafkaError(message.pointee.err, operation: "deliver to \(String(cString: rd_kafka_topic_name(message.pointee.rkt)))")))
                }
            }
        case RD_KAFKA_EVENT_ERROR:
            let code = rd_kafka_event_error(event)
            let fatal = rd_kafka_event_error_is_fatal(event) != 0
            logger.log(
                level: fatal ? .critical : .warning, "Kafka producer error: \(String(cString: rd_kafka_event_error_string(event)))",
                metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(code)))", "kafka.fatal": "\(fatal)"])
        default:
            break
        }
    }
}

/// Builds the `rd_kafka_vu_t` argument list of `rd_kafka_produceva` around pointers that stay
/// valid for the call; librdkafka copies key, value and headers (`RD_KAFKA_MSG_F_COPY`).
private func withProduceArguments<R>(
    topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], opaque: UnsafeMutableRawPointer,
    _ body: (UnsafeMutableBufferPointer<rd_kafka_vu_t>) -> R
) -> R {
    // Headers' storage: one contiguous C string per name and the value bytes, alive until return.
    let headerNames = headers.map { strdup($0.key)! }
    defer { headerNames.forEach { free($0) } }
    return topic.withCString { topicName in
        (key ?? []).withUnsafeBytes { keyBytes in
            (value ?? []).withUnsafeBytes { valueBytes in
                withHeaderValues(headers.map(\.value)) { headerValues in
                    var parts: [rd_kafka_vu_t] = []
                    parts.reserveCapacity(5 + headers.count)
                    var part = rd_kafka_vu_t()
                    part.vtype = RD_KAFKA_VTYPE_TOPIC
                    part.u.cstr = topicName
                    parts.append(part)
                    if key != nil {
                        part = rd_kafka_vu_t()
                        part.vtype = RD_KAFKA_VTYPE_KEY
                        part.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                        part.u.mem.size = keyBytes.count
                        parts.append(part)
                    }
                    if value != nil {
                        part = rd_kafka_vu_t()
                        part.vtype = RD_KAFKA_VTYPE_VALUE
                        part.u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                        part.u.mem.size = valueBytes.count
                        parts.append(part)
                    }
                    for (index, name) in headerNames.enumerated() {
                        part = rd_kafka_vu_t()
                        part.vtype = RD_KAFKA_VTYPE_HEADER
                        part.u.header.name = UnsafePointer(name)
                        part.u.header.val = headerValues[index].pointer
                        part.u.header.size = headerValues[index].size
                        parts.append(part)
                    }
                    part = rd_kafka_vu_t()
                    part.vtype = RD_KAFKA_VTYPE_OPAQUE
                    part.u.ptr = opaque
                    parts.append(part)
                    part = rd_kafka_vu_t()
                    part.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    part.u.i = RD_KAFKA_MSG_F_COPY
                    parts.append(part)
                    return parts.withUnsafeMutableBufferPointer { body($0) }
                }
            }
        }
    }
}

/// Header values as (pointer, size); a nil value is a NULL pointer, as librdkafka expects.
private func withHeaderValues<R>(_ values: [[UInt8]?], _ body: ([(pointer: UnsafeRawPointer?, size: Int)]) -> R) -> R {
    let joined = values.flatMap { $0 ?? [] }
    return joined.withUnsafeBytes { storage in
        var offset = 0
        let pointers = values.map { value -> (pointer: UnsafeRawPointer?, size: Int) in
            guard let value else { return (nil, -1) }
            defer { offset += value.count }
            return (storage.baseAddress.map { $0 + offset } ?? UnsafeRawPointer(bitPattern: 1), value.count)
        }
        return body(pointers)
    }
}

extension Duration {
    /// Whole milliseconds for librdkafka's `int timeout_ms` parameters, clamped to Int32.
    var milliseconds: Int32 {
        Int32(clamping: components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
