import Domain
import Foundation
import Kafka
import Logging

/// `mottak dlq list` and `mottak dlq redrive`: what is on the dead-letter topic, and putting it
/// back on the topics it came from once its cause is fixed.
public struct DeadLetterTool: Sendable {
    /// One dead letter, as `list` shows it.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public var offset: String
        public var key: String
        public var sourceTopic: String
        public var sourceOffset: String
        public var attempts: String
        public var consumerGroup: String
        public var reason: String

        public var description: String {
            "\(offset)  key=\(key)  from=\(sourceTopic)@\(sourceOffset)  attempts=\(attempts)  group=\(consumerGroup)  reason=\(reason)"
        }

        init(_ message: KafkaMessage) {
            offset = "\(message.topic)[\(message.partition)]@\(message.offset)"
            key = message.key.map { String(decoding: $0, as: UTF8.self) } ?? "-"
            sourceTopic = message.header(DeadLetters.Header.sourceTopic) ?? "?"
            sourceOffset = "\(message.header(DeadLetters.Header.sourcePartition) ?? "?")/\(message.header(DeadLetters.Header.sourceOffset) ?? "?")"
            attempts = message.header(DeadLetters.Header.attempts) ?? "?"
            consumerGroup = message.header(DeadLetters.Header.consumerGroup) ?? "?"
            reason = message.header(DeadLetters.Header.reason) ?? "?"
        }
    }

    /// The consumer group of `redrive`: its committed offsets are how far re-driving has got,
    /// so every dead letter is re-driven once.
    public static let redriveGroup = "oppfolgingsplan-mottak-dlq-redrive"

    let kafka: KafkaConfiguration
    let topics: EventTopics
    var topic: String { topics.deadLetter }
    let logger: Logger

    public init(kafka: KafkaConfiguration, topics: EventTopics, logger: Logger) {
        self.kafka = kafka
        self.topics = topics
        self.logger = logger
    }

    /// Every dead letter on the topic now (a reader of its own, which commits nothing).
    public func list(timeout: Duration = .seconds(30)) async throws -> [Entry] {
        let consumer = try KafkaConsumer(configuration: kafka, consumer: .init(groupID: "dlq-list-\(UUID())", topics: [topic]), logger: logger)
        defer { Task { await consumer.close() } }
        return try await readToEnd(consumer, timeout: timeout).map(Entry.init)
    }

    /// Puts every dead letter that `redrive` has not re-driven before back on its source topic
    /// (key, value and headers as they were, without the `dlq-*` headers), and reopens the
    /// plan's status so that processing can finish. Returns the re-driven entries.
    public func redrive(producer: KafkaProducer, timeout: Duration = .seconds(30)) async throws -> [Entry] {
        let consumer = try KafkaConsumer(configuration: kafka, consumer: .init(groupID: Self.redriveGroup, topics: [topic]), logger: logger)
        var redriven: [Entry] = []
        for message in try await readToEnd(consumer, timeout: timeout) {
            let entry = Entry(message)
            guard let source = message.header(DeadLetters.Header.sourceTopic) else {
                logger.warning("dead letter without a source topic; skipped", metadata: ["offset": "\(entry.offset)"])
                try consumer.markProcessed(message)
                continue
            }
            if let uuid = message.key.flatMap({ UUID(uuidString: String(decoding: $0, as: UTF8.self)) }) {
                let channel: DeliveryChannel? =
                    switch source {
                    case topics.navChannel: .nav
                    case topics.gpChannel: .generalPractitioner
                    default: nil
                    }
                try await producer.publish(StatusEvent(uuid: uuid, kind: .reopened, channel: channel), to: topics)
            }
            let headers = message.headers.filter { !$0.key.hasPrefix("dlq-") } + [KafkaHeader(key: "redriven-from", value: entry.offset)]
            _ = try await producer.send(topic: source, key: message.key, value: message.value, headers: headers)
            try consumer.markProcessed(message)
            redriven.append(entry)
        }
        try await consumer.commit()
        await consumer.close()
        return redriven
    }

    /// The messages from the group's position to the end of every partition as it is now.
    ///
    /// One task takes messages while this one checks, every 300 ms, whether the group has read
    /// to the end; then the reader is cancelled and its list awaited, so a message taken at the
    /// last moment is in the list rather than lost in a race.
    private func readToEnd(_ consumer: KafkaConsumer, timeout: Duration) async throws -> [KafkaMessage] {
        let reader = Task {
            var taken: [KafkaMessage] = []
            for try await message in consumer.messages { taken.append(message) }
            return taken
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(300))
            if try await consumer.isCaughtUp() {
                reader.cancel()
                return try await reader.value
            }
        }
        reader.cancel()
        throw DeadLetterToolError(description: "the dead-letter topic \(topic) was not read to its end within \(timeout)")
    }
}

struct DeadLetterToolError: Error, CustomStringConvertible {
    var description: String
}
