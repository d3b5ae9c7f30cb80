import Kafka
import KafkaMock
import MottakApp
import ServiceLifecycle

/// Keeps the embedded Kafka cluster alive for the life of the service group. Listed before
/// every client of it, so it stops after them.
struct EmbeddedKafkaService: Service {
    let cluster: EmbeddedKafkaCluster

    func run() async throws {
        try? await gracefulShutdown()
        withExtendedLifetime(cluster) {}
    }
}
