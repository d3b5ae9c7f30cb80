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
    /// Extra librdkafka properties for every client, for example `security.protocol` and the
    /// `ssl.*` paths.
    public var properties: [String: String]
    /// Extra properties for consumers only (`session.timeout.ms`, `group.instance.id`, …):
    /// given to a producer, librdkafka warns that it ignores them.
    public var consumerProperties: [String: String]
    /// Extra properties for producers only (`linger.ms`, `compression.type`, …).
    public var producerProperties: [String: String]

    public init(
        bootstrapServers: String, clientID: String = "oppfolgingsplan-mottak", properties: [String: String] = [:],
        consumerProperties: [String: String] = [:], producerProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
        self.consumerProperties = consumerProperties
        self.producerProperties = producerProperties
    }

    /// Everything every client shares as librdkafka properties, ours first and the
    /// pass-through last.
    var librdkafkaProperties: [(String, String)] {
        [("bootstrap.servers", bootstrapServers), ("client.id", clientID)] + Self.sorted(properties)
    }

    enum ClientKind {
        case producer
        case consumer
    }

    /// A client's own defaults (a producer's idempotence, a consumer's commit policy, Nagle's
    /// algorithm off), each dropped when a pass-through sets it, then ``librdkafkaProperties``,
    /// then the pass-through of this kind of client.
    func librdkafkaProperties(for kind: ClientKind, withDefaults defaults: [(String, String)]) -> [(String, String)] {
        let own = kind == .producer ? producerProperties : consumerProperties
        let all = Self.sharedDefaults + defaults
        return all.filter { properties[$0.0] == nil && own[$0.0] == nil } + librdkafkaProperties + Self.sorted(own)
    }

    /// librdkafka 2.0.2 (Debian bookworm's) leaves Nagle's algorithm on (the default changed
    /// in 2.10): small requests such as an acknowledged produce or a commit then wait for the
    /// previous segment's ACK, which delayed ACKs can hold for tens of milliseconds.
    static let sharedDefaults: [(String, String)] = [("socket.nagle.disable", "true")]

    private static func sorted(_ properties: [String: String]) -> [(String, String)] {
        properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
