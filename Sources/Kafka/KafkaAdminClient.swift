import CRdKafka
import Logging

/// The cluster-level questions the service asks Kafka: is a broker reachable (readiness), which
/// topics exist, and create the ones the project needs when they are missing (`mottak-dev`
/// against an external cluster).
///
/// Every call blocks inside librdkafka, so each runs on a thread of this client's own, never on
/// the cooperative pool. One instance holds one librdkafka handle (and its threads) for its
/// lifetime.
public final class KafkaAdminClient: Sendable {
    private let handle: RdKafkaHandle
    private let blockingCalls = BlockingCallThread()

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.handle = try RdKafkaHandle(kind: RD_KAFKA_PRODUCER, properties: configuration.librdkafkaProperties, logger: logger)
    }

    /// A broker as the cluster describes itself in a metadata response.
    public struct Broker: Sendable, Equatable {
        public var id: Int32
        public var host: String
        public var port: Int32
    }

    /// Asks the cluster for its brokers; throws when no broker answers within `timeout`.
    public func brokers(timeout: Duration) async throws -> [Broker] {
        let handle = self.handle
        return try await blockingCalls.run {
            try withMetadata(handle: handle, allTopics: false, timeout: timeout) { metadata in
                (0..<Int(metadata.broker_cnt)).map { index in
                    let broker = metadata.brokers[index]
                    return Broker(id: broker.id, host: String(cString: broker.host), port: broker.port)
                }
            }
        }
    }

    /// Topic name → partition count, for every topic the cluster reports.
    public func topics(timeout: Duration) async throws -> [String: Int] {
        try await topicsAndBrokerCount(timeout: timeout).topics
    }

    /// One all-topics metadata request answers both questions.
    private func topicsAndBrokerCount(timeout: Duration) async throws -> (topics: [String: Int], brokerCount: Int) {
        let handle = self.handle
        return try await blockingCalls.run {
            try withMetadata(handle: handle, allTopics: true, timeout: timeout) { metadata in
                var topics: [String: Int] = [:]
                for index in 0..<Int(metadata.topic_cnt) where metadata.topics[index].err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    topics[String(cString: metadata.topics[index].topic)] = Int(metadata.topics[index].partition_cnt)
                }
                return (topics, Int(metadata.broker_cnt))
            }
        }
    }

    /// Creates those of `specs` that the cluster does not have, and returns their names.
    ///
    /// Existing topics are left as they are, whatever their partition count: changing a live
    /// topic is an operator's decision. The replication factor is capped at the number of
    /// brokers, so a one-broker development cluster works. A topic that another client creates
    /// at the same moment (`TOPIC_ALREADY_EXISTS`) counts as present.
    @discardableResult
    public func createMissingTopics(_ specs: [TopicSpec], timeout: Duration) async throws -> [String] {
        let (existing, brokerCount) = try await topicsAndBrokerCount(timeout: timeout)
        let missing = specs.filter { existing[$0.name] == nil }
        guard !missing.isEmpty else { return [] }
        let handle = self.handle
        return try await blockingCalls.run {
            try createTopics(handle: handle, specs: missing, maxReplication: max(1, brokerCount), timeout: timeout)
        }
    }
}

private func withMetadata<T>(
    handle: RdKafkaHandle,
    allTopics: Bool,
    timeout: Duration,
    _ body: (rd_kafka_metadata) throws -> T
) throws -> T {
    var metadata: UnsafePointer<rd_kafka_metadata>?
    let error = rd_kafka_metadata(handle.pointer, allTopics ? 1 : 0, nil, &metadata, timeout.milliseconds)
    guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
        throw KafkaError(error, operation: "metadata request")
    }
    defer { rd_kafka_metadata_destroy(metadata) }
    return try body(metadata.pointee)
}

private func createTopics(handle: RdKafkaHandle, specs: [TopicSpec], maxReplication: Int, timeout: Duration) throws -> [String] {
    var errorText = [CChar](repeating: 0, count: 512)
    var newTopics: [OpaquePointer?] = []
    defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
    for spec in specs {
        guard
            let topic = rd_kafka_NewTopic_new(
                spec.name, Int32(spec.partitions), Int32(min(spec.replicationFactor, maxReplication)), &errorText, errorText.count)
        else {
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, operation: "describe topic \(spec.name)",
                reason: String(errorBuffer: errorText))
        }
        newTopics.append(topic)
    }

    let options = rd_kafka_AdminOptions_new(handle.pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS)
    defer { rd_kafka_AdminOptions_destroy(options) }
    _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errorText, errorText.count)
    let queue = rd_kafka_queue_new(handle.pointer)
    defer { rd_kafka_queue_destroy(queue) }

    let names = specs.map(\.name).joined(separator: ", ")
    rd_kafka_CreateTopics(handle.pointer, &newTopics, newTopics.count, options, queue)
    // librdkafka answers on the queue when the request times out, so this wait is bounded.
    guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds + 5_000) else {
        throw KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, operation: "create topics \(names)", reason: "no answer from the cluster")
    }
    defer { rd_kafka_event_destroy(event) }
    let requestError = rd_kafka_event_error(event)
    guard requestError == RD_KAFKA_RESP_ERR_NO_ERROR else {
        throw KafkaError(
            code: requestError.rawValue, operation: "create topics \(names)", reason: String(cString: rd_kafka_event_error_string(event)))
    }
    var count = 0
    guard let result = rd_kafka_event_CreateTopics_result(event), let topicResults = rd_kafka_CreateTopics_result_topics(result, &count) else {
        throw KafkaError(code: RD_KAFKA_RESP_ERR__BAD_MSG.rawValue, operation: "create topics \(names)", reason: "unexpected answer")
    }
    for index in 0..<count {
        let topicError = rd_kafka_topic_result_error(topicResults[index])
        if topicError != RD_KAFKA_RESP_ERR_NO_ERROR && topicError != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
            throw KafkaError(
                code: topicError.rawValue,
                operation: "create topic \(String(cString: rd_kafka_topic_result_name(topicResults[index])))",
                reason: rd_kafka_topic_result_error_string(topicResults[index]).map { String(cString: $0) } ?? "")
        }
    }
    return specs.map(\.name)
}
