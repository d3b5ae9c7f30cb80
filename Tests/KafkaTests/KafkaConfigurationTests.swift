import Testing

@testable import Kafka

/// Each kind of client gets the shared properties and only its own pass-through, so a producer
/// never warns about a consumer's `session.timeout.ms` (and the other way round).
@Suite(.timeLimit(.minutes(5))) struct KafkaConfigurationTests {
    @Test func consumerAndProducerPropertiesGoOnlyToTheirKindOfClient() {
        let configuration = KafkaConfiguration(
            bootstrapServers: "k:9092", properties: ["security.protocol": "ssl"], consumerProperties: ["session.timeout.ms": "6000"],
            producerProperties: ["linger.ms": "20", "socket.nagle.disable": "false"])
        let producer = Dictionary(uniqueKeysWithValues: configuration.librdkafkaProperties(for: .producer, withDefaults: [("acks", "all")]))
        let consumer = Dictionary(uniqueKeysWithValues: configuration.librdkafkaProperties(for: .consumer, withDefaults: []))
        #expect(producer["session.timeout.ms"] == nil && consumer["session.timeout.ms"] == "6000")
        #expect(producer["linger.ms"] == "20" && consumer["linger.ms"] == nil)
        #expect(producer["security.protocol"] == "ssl" && consumer["security.protocol"] == "ssl")
        #expect(producer["acks"] == "all")
        #expect(consumer["socket.nagle.disable"] == "true", "Nagle off by default")
        #expect(producer["socket.nagle.disable"] == "false", "a pass-through overrides our default")
    }
}
