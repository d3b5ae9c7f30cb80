import Domain
import Kafka

/// Puts a message on the dead-letter topic as it came (same key, value and headers), with
/// headers saying where it came from and why it is there, so that `mottak dlq redrive` can put
/// it back on its source topic.
public struct DeadLetters: Sendable {
    /// Header names on a dead letter.
    public enum Header {
        public static let reason = "dlq-reason"
        public static let sourceTopic = "dlq-source-topic"
        public static let sourcePartition = "dlq-source-partition"
        public static let sourceOffset = "dlq-source-offset"
        public static let attempts = "dlq-attempts"
        public static let consumerGroup = "dlq-consumer-group"

        static let all: Set<String> = [reason, sourceTopic, sourcePartition, sourceOffset, attempts, consumerGroup]
    }

    let producer: KafkaProducer
    let topic: String

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    /// Sends the dead letter and waits for the broker's acknowledgement: only then may the
    /// consumer mark the source message processed.
    public func send(_ message: KafkaMessage, reason: DeadLetterReason, attempts: Int, consumerGroup: String) async throws {
        var headers = message.headers.filter { !Header.all.contains($0.key) }
        headers += [
            KafkaHeader(key: Header.reason, value: reason.headerValue),
            KafkaHeader(key: Header.sourceTopic, value: message.topic),
            KafkaHeader(key: Header.sourcePartition, value: "\(message.partition)"),
            KafkaHeader(key: Header.sourceOffset, value: "\(message.offset)"),
            KafkaHeader(key: Header.attempts, value: "\(attempts)"),
            KafkaHeader(key: Header.consumerGroup, value: consumerGroup),
        ]
        _ = try await producer.send(topic: topic, key: message.key, value: message.value, headers: headers)
    }
}
