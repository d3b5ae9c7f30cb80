import Foundation
import Kafka
import KafkaMock
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

    /// A member that dies without leaving (kcat, SIGKILLed) holds up the group's rebalance until
    /// its session expires (30 s here). Closing another member meanwhile must not wait for that:
    /// it stops within its leave limit (2 s), with its processed offsets committed as far as the
    /// group allowed, instead of blocking the pod's shutdown past its grace.
    @Test func aConsumerClosesWithinItsLimitWhileItsGroupWaitsOnAMemberThatDied() async throws {
        guard let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw MissingTestService(description: "kcat is missing (scripts/install-system-packages.sh kcat)")
        }
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "stuck", partitions: 4)])
        let producer = try bed.producer()
        for index in 0..<8 { try await producer.send(topic: "stuck", key: Array("k\(index)".utf8), value: Array("\(index)".utf8)) }
        await producer.close(flushTimeout: .seconds(5))
        let sessionLong = ["session.timeout.ms": "30000", "heartbeat.interval.ms": "1000"]
        let first = try bed.consumer(group: "stuck", topics: ["stuck"], sessionLong)
        _ = try await take(8, from: first)

        // The member that will die: joins with the same protocol, then is SIGKILLed.
        let dying = Process()
        dying.executableURL = URL(fileURLWithPath: kcat)
        dying.arguments = [
            "-q", "-b", bed.cluster.bootstrapServers, "-G", "stuck", "-X", "partition.assignment.strategy=cooperative-sticky",
            "-X", "session.timeout.ms=30000", "stuck",
        ]
        dying.standardOutput = FileHandle.nullDevice
        dying.standardError = FileHandle.nullDevice
        try dying.run()
        defer { if dying.isRunning { kill(dying.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .seconds(5))  // joined, partitions shared
        kill(dying.processIdentifier, SIGKILL)
        dying.waitUntilExit()

        // A newcomer starts a rebalance that waits for the dead member's session (30 s).
        let newcomer = try bed.consumer(group: "stuck", topics: ["stuck"], sessionLong)
        let newcomerPolls = Task { _ = try? await take(1, from: newcomer, timeout: .seconds(20)) }
        try await Task.sleep(for: .seconds(2))
        let began = ContinuousClock.now
        await first.close()
        let took = ContinuousClock.now - began
        #expect(took < .seconds(6), "closing took \(took) while the group waited on a dead member")
        newcomerPolls.cancel()
        await newcomerPolls.value
        await newcomer.close()
    }
}
