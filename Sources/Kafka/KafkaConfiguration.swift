/// Where the Kafka cluster is and how to talk to it.
///
/// This is the part every client shares; the producer and consumer add their own properties.
/// `properties` is a pass-through of librdkafka configuration (see librdkafka's
/// CONFIGURATION.md), applied after ours so that an operator can override any of them.
public struct KafkaConfiguration: Sendable, Equatable {
    /// `bootstrap.servers`: comma-separated `host:port` list (NAIS: `KAFKA_BROKERS`).
    public var bootstrapServers: String
    /// `client.id`, visible in broker logs and quotas.
    public var clientID: String
    /// Extra librdkafka properties, for example `security.protocol` and the `ssl.*` paths.
    public var properties: [String: String]

    public init(bootstrapServers: String, clientID: String = "oppfolgingsplan-mottak", properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }

    /// Everything as librdkafka properties, ours first and the pass-through last.
    var librdkafkaProperties: [(String, String)] {
        [("bootstrap.servers", bootstrapServers), ("client.id", clientID)]
            + properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A client's own defaults (a producer's idempotence, a consumer's commit policy), each
    /// dropped when `properties` sets it, followed by ``librdkafkaProperties``.
    func librdkafkaProperties(withDefaults defaults: [(String, String)]) -> [(String, String)] {
        defaults.filter { properties[$0.0] == nil } + librdkafkaProperties
    }
}

/// A topic the project needs, with the partition count it is created with.
///
/// The partition count bounds how far a consumer role scales (one member per partition).
public struct TopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int

    public init(name: String, partitions: Int, replicationFactor: Int = 3) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }
}
