import CRdKafka
import Logging
import Synchronization

/// Owns one `rd_kafka_t` and destroys it exactly once.
///
/// librdkafka handles are thread-safe, which is why this class may be shared across tasks.
/// Creating the handle consumes the `rd_kafka_conf_t`; on every failure path before that the
/// configuration object is destroyed here, so no error leaks it.
package final class RdKafkaHandle: @unchecked Sendable {
    package let pointer: OpaquePointer
    /// librdkafka's opaque for this handle: kept alive for as long as librdkafka may call back.
    private let callbacks: Unmanaged<ClientCallbacks>
    private let isConsumer: Bool

    /// A plain producer handle, for librdkafka's mock cluster to live in (`KafkaMock`).
    package static func producer(properties: [(String, String)], logger: Logger) throws -> RdKafkaHandle {
        try RdKafkaHandle(kind: RD_KAFKA_PRODUCER, properties: properties, logger: logger)
    }

    /// - Parameter configure: extra set-up of the configuration object before the handle is
    ///   created (event mask, rebalance callback).
    init(
        kind: rd_kafka_type_t,
        properties: [(String, String)],
        logger: Logger,
        progress: ConsumerProgress? = nil,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL.rawValue, operation: "create configuration", reason: "out of memory")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(
                    code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue,
                    operation: "set configuration property \(key)",
                    reason: String(errorBuffer: errorText))
            }
        }
        let callbacks = Unmanaged.passRetained(ClientCallbacks(logger: logger, progress: progress))
        rd_kafka_conf_set_opaque(conf, callbacks.toOpaque())
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
            guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
            Unmanaged<ClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
                .log(level: level, facility: facility.map { String(cString: $0) } ?? "", message: message.map { String(cString: $0) } ?? "")
        }
        configure(conf)
        guard let handle = rd_kafka_new(kind, conf, &errorText, errorText.count) else {
            // rd_kafka_new only takes ownership of conf on success.
            rd_kafka_conf_destroy(conf)
            callbacks.release()
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL.rawValue, operation: "create client", reason: String(errorBuffer: errorText))
        }
        self.pointer = handle
        self.callbacks = callbacks
        self.isConsumer = kind == RD_KAFKA_CONSUMER
    }

    /// Set when a consumer gave up waiting for its group to let it leave (``abandonConsumerClose()``).
    private let closeAbandoned = Atomic(false)

    /// The consumer's leave did not finish in time (a rebalance waits on a member that died):
    /// the handle is then never destroyed. Destroying it would wait on the same rebalance
    /// (or, for a member that joined and was never assigned, make librdkafka 2.0.2 abort the
    /// process, issue #4312). A consumer closes when its process stops, so what this keeps
    /// (the client's threads and memory) goes with the process moments later; the group hands
    /// its partitions on when the member's session expires.
    ///
    /// From then on, no consumer handle of the process is destroyed: the other groups' members
    /// are as likely to be caught in a rebalance that waits on the dead member, and librdkafka
    /// 2.0.2 aborted the process destroying one of them after its close (the same assertion as
    /// issue #4312) in the multi-replica chaos run (scripts/replica-chaos.py).
    func abandonConsumerClose() {
        closeAbandoned.store(true, ordering: .relaxed)
        Self.consumerCloseAbandonedInProcess.store(true, ordering: .relaxed)
    }

    private static let consumerCloseAbandonedInProcess = Atomic(false)

    deinit {
        // Abandoned: deliberately kept (see abandonConsumerClose()).
        guard !closeAbandoned.load(ordering: .relaxed) else { return }
        guard !(isConsumer && Self.consumerCloseAbandonedInProcess.load(ordering: .relaxed)) else { return }
        rd_kafka_destroy(pointer)
        callbacks.release()
    }
}

/// What librdkafka's C callbacks reach through the handle's opaque pointer.
final class ClientCallbacks: Sendable {
    let logger: Logger
    /// A consumer's processed offsets, which a revocation must forget.
    let progress: ConsumerProgress?

    init(logger: Logger, progress: ConsumerProgress?) {
        self.logger = logger
        self.progress = progress
    }

    static func from(_ handle: OpaquePointer?) -> ClientCallbacks? {
        guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<ClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// librdkafka's syslog levels mapped to swift-log's.
    func log(level: Int32, facility: String, message: String) {
        let swiftLevel: Logger.Level =
            switch level {
            case ...3: .error
            case 4: .warning
            case 5, 6: .info
            default: .debug
            }
        logger.log(level: swiftLevel, "\(message)", metadata: ["librdkafka.facility": "\(facility)"])
    }
}
