import Kafka
import ServiceLifecycle
import ServiceLifecycleTestKit
import TestSupport
import Testing

/// Producer and consumer as swift-service-lifecycle services: what graceful shutdown does.
@Suite(.timeLimit(.minutes(5))) struct LifecycleTests {
    @Test func aProducerShutDownGracefullyDeliversWhatWasQueuedAndRefusesMore() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "drain", partitions: 2)])
        let producer = try bed.producer()
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await producer.run() }
                try bed.cluster.setBrokerDown(1)  // keep messages queued while shutdown starts
                var deliveries: [Delivery] = []
                for index in 0..<50 {
                    deliveries.append(try await producer.enqueue(topic: "drain", key: nil, value: Array("\(index)".utf8)))
                }
                trigger.triggerGracefulShutdown()
                try await Task.sleep(for: .milliseconds(500))
                try bed.cluster.setBrokerUp(1)
                try await group.waitForAll()  // run() returns once the queue is flushed
                for delivery in deliveries { _ = try await delivery.report() }
            }
        }
        await #expect(throws: KafkaError.self) { try await producer.send(topic: "drain", key: nil, value: []) }
    }

    @Test func aConsumerShutDownGracefullyEndsItsMessagesCommitsAndLeaves() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "leave", partitions: 1)])
        let producer = try bed.producer()
        for index in 0..<6 { try await producer.send(topic: "leave", key: nil, value: Array("\(index)".utf8)) }
        let consumer = try bed.consumer(group: "leave", topics: ["leave"])
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await consumer.run() }
                var processed: [String] = []
                for try await message in consumer.messages {
                    processed.append(message.text)
                    try consumer.markProcessed(message)
                    if processed.count == 3 { trigger.triggerGracefulShutdown() }
                }
                // The sequence ended by itself after shutdown began.
                #expect(processed.count >= 3)
                try await group.waitForAll()
                // The next member continues after the last processed message.
                let next = try bed.consumer(group: "leave", topics: ["leave"])
                let rest = try await take(6 - processed.count, from: next)
                #expect(processed + rest.map(\.text) == ["0", "1", "2", "3", "4", "5"])
                await next.close()
            }
        }
        await producer.close(flushTimeout: .seconds(5))
    }
}
