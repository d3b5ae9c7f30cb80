import Foundation
import Kafka
import KafkaMock
import TestSupport
import Testing

/// Our producer and consumer against the embedded broker over TCP.
@Suite(.timeLimit(.minutes(5))) struct ProducerConsumerTests {
    @Test func aBadPassThroughPropertyStopsTheClientWithLibrdkafkasMessage() throws {
        let bed = try KafkaTestBed(topics: [])
        #expect {
            _ = try bed.producer(["linger.ms": "soon"])
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.operation == "set configuration property linger.ms" && error.reason.contains("Invalid value")
        }
        #expect(throws: KafkaError.self) { _ = try bed.consumer(group: "g", topics: ["t"], ["no.such.thing": "1"]) }
    }

    @Test func aMessageKeepsItsKeyValueAndHeadersOnTheWayThrough() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "round-trip", partitions: 3)])
        let producer = try bed.producer()
        let report = try await producer.send(
            topic: "round-trip", key: Array("plan-1".utf8), value: Array(#"{"uuid":"plan-1"}"#.utf8),
            headers: [KafkaHeader(key: "traceparent", value: "00-abc-def-01"), KafkaHeader(key: "empty", value: nil)])
        #expect(report.topic == "round-trip")
        #expect(report.offset >= 0)

        let consumer = try bed.consumer(group: "round-trip", topics: ["round-trip"])
        let message = try #require(try await take(1, from: consumer).first)
        #expect(message.topic == "round-trip")
        #expect(message.partition == report.partition)
        #expect(message.offset == report.offset)
        #expect(message.keyText == "plan-1")
        #expect(message.text == #"{"uuid":"plan-1"}"#)
        #expect(message.headers == [KafkaHeader(key: "traceparent", value: "00-abc-def-01"), KafkaHeader(key: "empty", value: nil)])
        await consumer.close()
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func tenThousandMessagesKeepTheirOrderPerKey() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "ordered", partitions: 6)])
        let producer = try bed.producer()
        let keys = 50
        let total = 10_000
        var deliveries: [Delivery] = []
        for sequence in 0..<total {
            let key = "plan-\(sequence % keys)"
            deliveries.append(try await producer.enqueue(topic: "ordered", key: Array(key.utf8), value: Array("\(sequence)".utf8)))
        }
        var offsetsByPartition: [Int32: [Int64]] = [:]
        for delivery in deliveries {
            let report = try await delivery.report()
            offsetsByPartition[report.partition, default: []].append(report.offset)
        }
        // Enqueued in order ⇒ acknowledged at increasing offsets within each partition.
        for offsets in offsetsByPartition.values { #expect(offsets == offsets.sorted()) }

        let consumer = try bed.consumer(group: "ordered", topics: ["ordered"])
        let messages = try await take(total, from: consumer)
        var lastByKey: [String: Int] = [:]
        var outOfOrder = 0
        for message in messages {
            let sequence = Int(message.text)!
            if let last = lastByKey[message.keyText], last >= sequence { outOfOrder += 1 }
            lastByKey[message.keyText] = sequence
        }
        #expect(outOfOrder == 0)
        #expect(Set(messages.map(\.text)).count == total)
        await consumer.close()
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func aBatchGetsAReportPerMessageInTheBatchsOrder() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "batch", partitions: 3)])
        let producer = try bed.producer()
        let messages = (0..<1_000).map { KafkaOutgoingMessage(key: Array("k\($0 % 7)".utf8), value: Array("\($0)".utf8)) }
        let results = await producer.send(messages, to: "batch")
        let reports = try results.map { try $0.get() }
        #expect(reports.count == 1_000)
        for partition in Set(reports.map(\.partition)) {
            let offsets = reports.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == offsets.sorted() && Set(offsets).count == offsets.count)
        }
        let consumer = try bed.consumer(group: "batch", topics: ["batch"])
        let consumed = try await take(1_000, from: consumer)
        #expect(
            Set(consumed.map { "\($0.partition):\($0.offset):\($0.text)" })
                == Set(zip(reports, messages).map { "\($0.partition):\($0.offset):\(String(decoding: $1.value!, as: UTF8.self))" }))
        await consumer.close()
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func aMessageRefusedInABatchFailsAloneAndTheOthersAreSent() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "refused", partitions: 1)])
        let producer = try bed.producer(["message.max.bytes": "1000"])
        let results = await producer.send(
            [
                KafkaOutgoingMessage(key: nil, value: Array("first".utf8)),
                KafkaOutgoingMessage(key: nil, value: Array(repeating: 120, count: 5_000)),
                KafkaOutgoingMessage(key: nil, value: Array("third".utf8)),
            ], to: "refused")
        #expect(try results[0].get().offset == 0)
        #expect(throws: KafkaError.self) { try results[1].get() }
        if case .failure(let error) = results[1] { #expect(error.name == "MSG_SIZE_TOO_LARGE") }
        #expect(try results[2].get().offset == 1)
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func aBatchLargerThanTheLocalQueueWaitsForRoomThroughAnOutage() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "batch-outage", partitions: 1)])
        let producer = try bed.producer(["queue.buffering.max.messages": "10"])
        try bed.cluster.setBrokerDown(1)
        let sending = Task {
            await producer.send((0..<200).map { KafkaOutgoingMessage(key: nil, value: Array("\($0)".utf8)) }, to: "batch-outage")
        }
        try await Task.sleep(for: .seconds(1))
        try bed.cluster.setBrokerUp(1)
        let offsets = try await sending.value.map { try $0.get().offset }
        #expect(offsets == Array(0..<200))
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func twoMembersSplitTheTopicAndTheSurvivorTakesOverWithoutLossOrDuplicates() async throws {
        let bed = try KafkaTestBed(brokers: 3, topics: [TopicSpec(name: "split", partitions: 6)])
        let producer = try bed.producer()
        let total = 600
        for index in 0..<total {
            _ = try await producer.enqueue(topic: "split", key: Array("k\(index)".utf8), value: Array("\(index)".utf8))
        }
        try await producer.flush(timeout: .seconds(30))

        let first = try bed.consumer(group: "split", topics: ["split"])
        let second = try bed.consumer(group: "split", topics: ["split"])
        let seen = Seen()
        let firstWork = Task { try await seen.consume(first, as: "first") }
        let secondWork = Task { try await seen.consume(second, as: "second") }

        // Both members got partitions and did some work; then the first one leaves.
        try await seen.waitUntil { $0.count("first") >= 20 && $0.count("second") >= 20 }
        firstWork.cancel()
        _ = try? await firstWork.value
        await first.close()

        try await seen.waitUntil { $0.distinct >= total }
        secondWork.cancel()
        _ = try? await secondWork.value
        await second.close()

        #expect(await seen.distinct == total)
        #expect(await seen.duplicates == 0, "the first member's processed offsets were committed when it left")
        #expect(await seen.count("first") > 0)
        #expect(await seen.count("second") > 0)
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func messagesTakenButNotMarkedProcessedGoToTheNextMember() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "uncommitted", partitions: 1)])
        let producer = try bed.producer()
        for index in 0..<10 {
            try await producer.send(topic: "uncommitted", key: nil, value: Array("\(index)".utf8))
        }
        let crashing = try bed.consumer(group: "uncommitted", topics: ["uncommitted"])
        let handled = try await take(3, from: crashing, mark: true)
        let unmarked = try await take(2, from: crashing, mark: false)  // handled, but gone before marking
        await crashing.close()
        #expect(handled.map(\.text) == ["0", "1", "2"])

        let next = try bed.consumer(group: "uncommitted", topics: ["uncommitted"])
        let redelivered = try await take(2, from: next)
        #expect(redelivered.map(\.text) == unmarked.map(\.text))
        await next.close()
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func retriableProduceErrorsAreRetriedAndPermanentOnesAreTypedErrors() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "faults", partitions: 1)])
        let producer = try bed.producer()
        try await producer.send(topic: "faults", key: nil, value: Array("warm-up".utf8))

        bed.cluster.failNextRequests(of: .produce, with: [.notEnoughReplicas, .notEnoughReplicas, .requestTimedOut])
        let retried = try await producer.send(topic: "faults", key: nil, value: Array("retried".utf8))
        #expect(retried.offset == 1)

        bed.cluster.failNextRequests(of: .produce, with: [.messageTooLarge])
        do {
            try await producer.send(topic: "faults", key: nil, value: Array("refused".utf8))
            Issue.record("a refused message was reported delivered")
        } catch let error as KafkaError {
            #expect(error.code == KafkaBrokerError.messageTooLarge.rawValue)
            #expect(error.name == "MSG_SIZE_TOO_LARGE")
            #expect(error.operation == "deliver to faults")
        }
        // The producer is still usable afterwards.
        try await producer.send(topic: "faults", key: nil, value: Array("after".utf8))
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func sendsWhileTheBrokerIsDownCompleteOnceItIsBackAndNoneIsLost() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "outage", partitions: 3)])
        let producer = try bed.producer()
        try await producer.send(topic: "outage", key: nil, value: Array("before".utf8))

        try bed.cluster.setBrokerDown(1)
        var deliveries: [Delivery] = []
        for index in 0..<200 {
            deliveries.append(try await producer.enqueue(topic: "outage", key: Array("k\(index)".utf8), value: Array("\(index)".utf8)))
        }
        try await Task.sleep(for: .seconds(3))
        try bed.cluster.setBrokerUp(1)

        var offsets = Set<String>()
        for delivery in deliveries {
            let report = try await delivery.report()
            offsets.insert("\(report.partition):\(report.offset)")
        }
        #expect(offsets.count == 200)

        let consumer = try bed.consumer(group: "outage", topics: ["outage"])
        let messages = try await take(201, from: consumer)
        #expect(Set(messages.map(\.text)) == Set(["before"] + (0..<200).map(String.init)))
        await consumer.close()
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func aFullLocalQueueMakesSendersWaitInsteadOfFailing() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "backpressure", partitions: 1)])
        // A queue of 10 messages and a broker that is down: the 11th sender has to wait, and
        // the 200 senders go through the full queue many times once the broker is back.
        let producer = try bed.producer(["queue.buffering.max.messages": "10"])
        try bed.cluster.setBrokerDown(1)
        let enqueueAll = Task {
            var enqueued: [Delivery] = []
            for index in 0..<200 {
                enqueued.append(try await producer.enqueue(topic: "backpressure", key: nil, value: Array("\(index)".utf8)))
            }
            return enqueued
        }
        try await Task.sleep(for: .seconds(1))
        try bed.cluster.setBrokerUp(1)
        let deliveries = try await enqueueAll.value
        var offsets: [Int64] = []
        for delivery in deliveries { offsets.append(try await delivery.report().offset) }
        #expect(offsets == Array(0..<200))
        await producer.close(flushTimeout: .seconds(5))
    }

    @Test func pausedPartitionsDeliverNothingUntilResumedAndLagIsReported() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "paused", partitions: 1)])
        let producer = try bed.producer()
        for index in 0..<5 { try await producer.send(topic: "paused", key: nil, value: Array("\(index)".utf8)) }
        let consumer = try bed.consumer(group: "paused", topics: ["paused"])
        _ = try await take(1, from: consumer)
        try await consumer.commit()
        let lag = try consumer.lag()
        #expect(lag.map(\.topicPartition) == [TopicPartition(topic: "paused", partition: 0)])
        #expect(lag.first?.lag == 4)

        try consumer.pause()
        await #expect(throws: TestTimeout.self) { _ = try await take(1, from: consumer, timeout: .seconds(2)) }
        try consumer.resume()
        #expect(try await take(4, from: consumer).map(\.text) == ["1", "2", "3", "4"])
        #expect(try consumer.lag().first?.lag == 0)
        await consumer.close()
        await producer.close(flushTimeout: .seconds(5))
    }

    /// librdkafka 2.0.2 (Debian bookworm) aborts the process when a cooperative-sticky member
    /// is destroyed after its JoinGroup answer and before its first assignment (librdkafka
    /// issue #4312, fixed in 2.3.0). Members closed exactly in that window must close cleanly.
    @Test func membersClosedBetweenJoiningAndTheirFirstAssignmentCloseCleanly() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "early-close", partitions: 2)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<24 {
                group.addTask {
                    let consumer = try bed.consumer(group: "early-close-\(round % 6)", topics: ["early-close"])
                    try await eventually("the member to join the group", timeout: .seconds(30), poll: .milliseconds(1)) {
                        consumer.memberID != nil
                    }
                    await consumer.close()
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func creatingAndClosingAHundredProducersAndConsumersLeaksNoThreadsOrMemory() async throws {
        let bed = try KafkaTestBed(topics: [TopicSpec(name: "churn", partitions: 1)])
        func churn(_ rounds: Int) async throws {
            for round in 0..<rounds {
                let producer = try bed.producer()
                try await producer.send(topic: "churn", key: nil, value: Array("\(round)".utf8))
                await producer.close(flushTimeout: .seconds(5))
                let consumer = try bed.consumer(group: "churn-\(round)", topics: ["churn"])
                await consumer.close()
            }
        }
        try await churn(5)  // warm-up: allocator arenas, NIO's singleton pools
        try await Task.sleep(for: .milliseconds(500))
        let before = processFootprint()
        try await churn(100)
        try await Task.sleep(for: .seconds(1))  // thread pools finish their shutdown asynchronously
        let after = processFootprint()
        // A leaked round (a producer and a consumer) keeps at least 8 threads (librdkafka's main
        // and broker threads, our poll threads): a hundred of them 800 or more. Threads and RSS
        // are the whole process's, so `make test` runs this test in a process of its own (the
        // other suites' clients and memory made it fail when they ran beside it).
        #expect(after.threads - before.threads < 500, "threads \(before.threads) → \(after.threads)")
        #expect(after.residentKiB - before.residentKiB < 60_000, "RSS \(before.residentKiB) KiB → \(after.residentKiB) KiB")
    }
}

/// What the members of a group processed, by member.
actor Seen {
    private var byMember: [String: Int] = [:]
    private var times: [String: Int] = [:]

    func record(_ message: KafkaMessage, by member: String) {
        byMember[member, default: 0] += 1
        times["\(message.partition):\(message.offset)", default: 0] += 1
    }

    func count(_ member: String) -> Int { byMember[member] ?? 0 }
    var distinct: Int { times.count }
    var duplicates: Int { times.values.reduce(0) { $0 + $1 - 1 } }

    nonisolated func consume(_ consumer: KafkaConsumer, as member: String) async throws {
        for try await message in consumer.messages {
            await record(message, by: member)
            try consumer.markProcessed(message)
        }
    }

    func waitUntil(timeout: Duration = .seconds(60), _ condition: @Sendable (isolated Seen) -> Bool) async throws {
        // The actor's own deadline loop: `eventually` cannot run an isolated condition.
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            guard ContinuousClock.now < deadline else { throw TestTimeout(description: "condition not met within \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
