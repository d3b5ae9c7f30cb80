import Domain
import Kafka
import Logging
import Metrics
import PostgresNIO

/// What the application hands every feature that builds a role: the process's PostgreSQL
/// pool, its one Kafka producer, the topics' names in this deployment, its metrics and a logger
/// already labelled with the role. A feature takes from it what its handler needs and owns
/// the rest of its wiring (``ConsumingRole``).
public struct RoleContext: Sendable {
    /// The role's name (`lookup`, `nav-channel`, …), as `--role` names it.
    public let name: String
    public let postgres: PostgresClient
    public let producer: KafkaProducer
    public let topics: EventTopics
    public let metricsFactory: any MetricsFactory
    public let logger: Logger

    public init(
        name: String, postgres: PostgresClient, producer: KafkaProducer, topics: EventTopics, metricsFactory: any MetricsFactory, logger: Logger
    ) {
        self.name = name
        self.postgres = postgres
        self.producer = producer
        self.topics = topics
        self.metricsFactory = metricsFactory
        self.logger = logger
    }
}
