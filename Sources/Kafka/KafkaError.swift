import CRdKafka

/// An error reported by librdkafka, or by our wrapper around it, carrying librdkafka's own code
/// and text so that an operator can look it up in librdkafka's documentation.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` value (negative: client-side, positive: broker-side).
    public let code: Int32
    /// What failed, in our words (for example "create topic followupplan.received").
    public let operation: String
    /// librdkafka's explanation of `code`, or its error string when it gave one.
    public let reason: String

    public init(code: Int32, operation: String, reason: String) {
        self.code = code
        self.operation = operation
        self.reason = reason
    }

    package init(_ error: rd_kafka_resp_err_t, operation: String) {
        self.init(code: error.rawValue, operation: operation, reason: String(cString: rd_kafka_err2str(error)))
    }

    /// librdkafka's symbolic name of the code, e.g. `_TIMED_OUT` or `TOPIC_ALREADY_EXISTS`.
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code))) }

    /// True for the code librdkafka uses when a request got no answer in time.
    public var isTimeout: Bool { code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue }

    public var description: String { "Kafka: \(operation) failed: \(reason) (\(name))" }
}
