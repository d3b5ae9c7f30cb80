import Kafka
import KafkaMock
import TestSupport
import Testing

/// The embedded cluster is a real Kafka-protocol broker on loopback TCP: any client reaches it.
@Suite(.timeLimit(.minutes(5))) struct EmbeddedKafkaClusterTests {
    let logger = TestServices.logger

    @Test func aMessageProducedToTheEmbeddedClusterIsConsumedByAConsumerGroup() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: logger)
        try cluster.createTopics([TopicSpec(name: "smoke", partitions: 3)])
        let bootstrap = cluster.bootstrapServers
        #expect(bootstrap.split(separator: ",").count == 3)
        #expect(bootstrap.split(separator: ",").allSatisfy { $0.hasPrefix("127.0.0.1:") })

        let delivered = try await TestServices.runBlocking {
            try PlainLibrdkafka.produce(bootstrap: bootstrap, topic: "smoke", key: "plan-1", value: #"{"uuid":"plan-1"}"#, header: ("trace", "abc"))
        }
        let consumed = try await TestServices.runBlocking {
            try PlainLibrdkafka.consumeFirst(bootstrap: bootstrap, topic: "smoke", group: "smoke-test")
        }
        #expect(
            consumed
                == .init(
                    partition: delivered.partition, offset: delivered.offset, key: "plan-1", value: #"{"uuid":"plan-1"}"#, header: "abc"))
        withExtendedLifetime(cluster) {}
    }

    @Test func theAdminClientSeesTheClustersBrokersAndTopics() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: logger)
        let specs = [TopicSpec(name: "plans", partitions: 6), TopicSpec(name: "status", partitions: 2)]
        try cluster.createTopics(specs)
        let admin = try KafkaAdminClient(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: logger)

        #expect(try await admin.brokers(timeout: .seconds(10)).count == 3)
        let topics = try await admin.topics(timeout: .seconds(10))
        #expect(topics["plans"] == 6)
        #expect(topics["status"] == 2)
        #expect(try await admin.createMissingTopics(specs, timeout: .seconds(10)) == [])
        withExtendedLifetime(cluster) {}
    }

    @Test func creatingTopicsAClusterCannotCreateFailsNamingThem() async throws {
        // The mock cluster does not implement CreateTopics: the request must end in a clear
        // error within the timeout, not hang `mottak-dev`.
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        let admin = try KafkaAdminClient(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: logger)
        do {
            try await admin.createMissingTopics([TopicSpec(name: "never-created", partitions: 2)], timeout: .seconds(2))
            Issue.record("the topic was reported created")
        } catch let error as KafkaError {
            #expect(error.operation.contains("never-created"))
        }
        withExtendedLifetime(cluster) {}
    }

    @Test func anUnreachableClusterIsAnErrorAfterTheTimeout() async throws {
        let admin = try KafkaAdminClient(configuration: .init(bootstrapServers: "127.0.0.1:1"), logger: logger)
        await #expect(throws: KafkaError.self) { try await admin.brokers(timeout: .milliseconds(500)) }
    }

    @Test func anInvalidPropertyIsATypedErrorWithLibrdkafkasMessage() {
        do {
            _ = try KafkaAdminClient(configuration: .init(bootstrapServers: "127.0.0.1:1", properties: ["no.such.property": "1"]), logger: logger)
            Issue.record("accepted an unknown property")
        } catch let error as KafkaError {
            #expect(error.operation == "set configuration property no.such.property")
            #expect(error.reason.contains("No such configuration property"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
