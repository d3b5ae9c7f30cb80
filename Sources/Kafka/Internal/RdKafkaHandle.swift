import CRdKafka
import Logging

/// Owns one `rd_kafka_t` and destroys it exactly once.
///
/// librdkafka handles are thread-safe, which is why this class may be shared across tasks.
/// Creating the handle consumes the `rd_kafka_conf_t`; on every failure path before that the
/// configuration object is destroyed here, so no error leaks it.
final class RdKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Kept alive for as long as librdkafka may call the log callback with it.
    private let logBridge: Unmanaged<LogBridge>

    init(kind: rd_kafka_type_t, properties: [(String, String)], logger: Logger) throws {
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
                    reason: String(errorBuffer: errorText)
                )
            }
        }
        let bridge = Unmanaged.passRetained(LogBridge(logger: logger))
        rd_kafka_conf_set_opaque(conf, bridge.toOpaque())
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
            guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
            Unmanaged<LogBridge>.fromOpaque(opaque).takeUnretainedValue()
                .log(level: level, facility: facility.map { String(cString: $0) } ?? "", message: message.map { String(cString: $0) } ?? "")
        }
        guard let handle = rd_kafka_new(kind, conf, &errorText, errorText.count) else {
            // rd_kafka_new only takes ownership of conf on success.
            rd_kafka_conf_destroy(conf)
            bridge.release()
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__FAIL.rawValue,
                operation: "create client",
                reason: String(errorBuffer: errorText)
            )
        }
        self.pointer = handle
        self.logBridge = bridge
    }

    deinit {
        rd_kafka_destroy(pointer)
        logBridge.release()
    }
}

/// Forwards librdkafka's syslog-levelled log lines to swift-log.
final class LogBridge: Sendable {
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

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
