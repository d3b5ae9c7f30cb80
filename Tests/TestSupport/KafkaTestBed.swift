import Foundation
import Kafka
import KafkaMock

/// A cluster of `brokers` embedded brokers with `topics`, and clients for it.
public struct KafkaTestBed: Sendable {
    public let cluster: EmbeddedKafkaCluster
    public let logger = TestServices.logger

    public init(brokers: Int = 1, topics: [TopicSpec]) throws {
        cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: TestServices.logger)
        try cluster.createTopics(topics)
    }

    public var configuration: KafkaConfiguration { KafkaConfiguration(bootstrapServers: cluster.bootstrapServers) }

    public func producer(_ properties: [String: String] = [:]) throws -> KafkaProducer {
        var configuration = self.configuration
        configuration.properties = properties
        return try KafkaProducer(configuration: configuration, logger: logger)
    }

    /// Consumers use a 6 s session timeout: the mock coordinator keeps a newcomer to a group
    /// that was just left waiting until the old member's session would have expired (librdkafka's
    /// default is 45 s), where a real broker answers after its short initial-rebalance delay.
    public func consumer(group: String, topics: [String], _ properties: [String: String] = [:]) throws -> KafkaConsumer {
        var configuration = self.configuration
        configuration.properties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"].merging(properties) { $1 }.merging(
            ProcessInfo.processInfo.environment["TEST_KAFKA_DEBUG"].map { ["debug": $0] } ?? [:]
        ) { $1 }
        return try KafkaConsumer(configuration: configuration, consumer: .init(groupID: group, topics: topics), logger: logger)
    }
}

/// Takes `count` messages (marking each processed when `mark`), failing after `timeout`.
public func take(_ count: Int, from consumer: KafkaConsumer, mark: Bool = true, timeout: Duration = .seconds(60)) async throws -> [KafkaMessage] {
    // Zero is a real case (an earlier member may have processed everything) and must not wait.
    guard count > 0 else { return [] }
    return try await withThrowingTaskGroup(of: [KafkaMessage].self) { group in
        group.addTask {
            var taken: [KafkaMessage] = []
            for try await message in consumer.messages {
                taken.append(message)
                if mark { try consumer.markProcessed(message) }
                if taken.count == count { break }
            }
            return taken
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TestTimeout(description: "took fewer than \(count) messages within \(timeout)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

public struct TestTimeout: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

extension KafkaMessage {
    public var text: String { value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
    public var keyText: String { key.map { String(decoding: $0, as: UTF8.self) } ?? "" }
}
