import CRdKafka
import Kafka
import Logging

/// A real Kafka-protocol cluster inside this process: librdkafka's mock cluster.
///
/// Its brokers listen on loopback TCP ports, so any Kafka client (ours, or `kcat`) talks to them
/// as to a real cluster. `mottak-dev` and the tests use it. Know its limits: it keeps roughly
/// 5 MiB per partition (older messages are dropped), a consumer group's first join takes about
/// three seconds, it lives in memory only, and it does not implement the admin API's
/// CreateTopics: topics are created with ``createTopics(_:)`` (unknown topics are also created
/// with 4 partitions the first time a client asks for their metadata).
///
/// The cluster stops when the last reference to this object goes away.
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    // @unchecked: both pointers are only handed to librdkafka's mock API, which is thread-safe
    // (each call is an operation queued to the mock cluster's own thread).
    private let host: RdKafkaHandle
    let cluster: OpaquePointer
    /// The brokers' addresses (`127.0.0.1:port,...`), the value for `bootstrap.servers`.
    public let bootstrapServers: String
    public let brokerCount: Int

    public init(brokers: Int = 3, logger: Logger) throws {
        precondition(brokers > 0, "a cluster needs at least one broker")
        // The hosting handle never connects anywhere; its only job is to own the mock
        // cluster's thread. Level 4 hides its notice that no bootstrap.servers is configured.
        self.host = try RdKafkaHandle.producer(properties: [("log_level", "4")], logger: logger)
        guard let cluster = rd_kafka_mock_cluster_new(host.pointer, Int32(brokers)) else {
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__FAIL.rawValue, operation: "start embedded cluster", reason: "librdkafka could not create the mock cluster")
        }
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerCount = brokers
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates the topics; a replication factor above the broker count is lowered to it.
    public func createTopics(_ specs: [TopicSpec]) throws {
        for spec in specs {
            let error = rd_kafka_mock_topic_create(
                cluster, spec.name, Int32(spec.partitions), Int32(min(spec.replicationFactor, brokerCount)))
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(error, operation: "create topic \(spec.name) on the embedded cluster")
            }
        }
    }
}
