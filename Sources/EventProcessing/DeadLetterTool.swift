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

    /// What `redrive` did: the entries put back, and those it left (with why).
    public struct RedriveReport: Sendable {
        public var redriven: [Entry] = []
        public var skipped: [(entry: Entry, why: String)] = []
    }

    /// The topics a dead letter may be put back on: ours, which our roles read. A letter from a
    /// topic another team owns (the sendt sykmelding) is never written there: it is reported.
    var redrivableTopics: Set<String> {
        [topics.received, topics.verified, topics.navChannel, topics.gpChannel, topics.status, topics.submitted]
    }

    /// Puts every dead letter that `redrive` has not re-driven before back on its source topic
    /// (key, value and headers as they were, without the `dlq-*` headers, with
    /// ``Redriven/header``), one at a time: each letter's offset is committed as soon as its
    /// resend is acknowledged, so a run that stops half-way (Kafka away, the pod killed) is
    /// resumed by the next without sending anything twice, and a letter is never marked done
    /// before it is back. The plan's status is reopened by the role that handles the resent
    /// message (``Redriven/reopening(_:status:_:)``), in order with the outcome it
    /// reports, and only once the message is really back.
    public func redrive(producer: KafkaProducer, timeout: Duration = .seconds(30)) async throws -> RedriveReport {
        let consumer = try KafkaConsumer(configuration: kafka, consumer: .init(groupID: Self.redriveGroup, topics: [topic]), logger: logger)
        var report = RedriveReport()
        do {
            for message in try await readToEnd(consumer, timeout: timeout) {
                let entry = Entry(message)
                if let source = message.header(DeadLetters.Header.sourceTopic), redrivableTopics.contains(source) {
                    let headers =
                        message.headers.filter { !$0.key.hasPrefix("dlq-") && $0.key != Redriven.header }
                        + [KafkaHeader(key: Redriven.header, value: entry.offset)]
                    _ = try await producer.send(topic: source, key: message.key, value: message.value, headers: headers)
                    report.redriven.append(entry)
                } else {
                    let why =
                        message.header(DeadLetters.Header.sourceTopic).map {
                            "its source topic \($0) is not ours; fix the cause and move that consumer group's offset instead"
                        } ?? "it names no source topic"
                    logger.warning("dead letter not re-driven", metadata: ["offset": "\(entry.offset)", "why": "\(why)"])
                    report.skipped.append((entry, why))
                }
                try consumer.markProcessed(message)
                try await consumer.commit()
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        return report
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
