import Domain
import Foundation
import Kafka
import KafkaMock
import Logging
import Lookup
import PostgresNIO
import Storage
import SykmeldingIngest
import Synchronization
import TestSupport
import Testing

@testable import EventProcessing

/// The consume-retry-dead-letter loop against the embedded Kafka broker.
@Suite(.timeLimit(.minutes(5))) struct ConsumerRoleServiceTests {
    @Test func theSykmeldingIngestReplacesDeletesAndDeadLettersPoisonWithoutStopping() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.sendtSykmelding])
        try await TestServices.withMigratedDatabase { postgres in
            let store = SykmeldingPeriods(postgres: postgres, logger: TestServices.logger)
            let active = ActiveSykmeldinger(postgres: postgres, logger: TestServices.logger)
            let handler = SykmeldingIngestHandler(store: store, logger: TestServices.logger)
            let day = { SendtSykmeldingFixtures.day($0) }
            let topic = EventTopics.local.sendtSykmelding
            let corrected = SendtSykmeldingFixtures.value(orgnummer: "987654321", periods: [(day(-3), day(20))])
            for (key, value) in [
                ("a", SendtSykmeldingFixtures.value(periods: [(day(-10), day(-5)), (day(-4), day(10))])),
                ("poison", Array("{not json".utf8)),
                ("a", corrected),
                ("b", SendtSykmeldingFixtures.value(orgnummer: "555555555", periods: [(day(-1), day(5))])),
                ("b", nil),
                ("a", corrected),  // delivered again
            ] as [(String, [UInt8]?)] {
                _ = try await bed.producer.send(topic: topic, key: Array(key.utf8), value: value)
            }

            let service = ConsumerRoleService(
                name: "sykmelding-ingest", consumerGroup: "ingest-test", consumer: try bed.consumer(group: "ingest-test", topics: [topic]),
                deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter), logger: TestServices.logger,
                handler: handler.handle)
            try await bed.whileRunning(service) {
                let deadLetter = try await bed.deadLetters(1).first!
                #expect(deadLetter.keyText == "poison")
                #expect(deadLetter.header(DeadLetters.Header.reason)?.hasPrefix("poison: not a sent sykmelding") == true)
                #expect(deadLetter.header(DeadLetters.Header.sourceTopic) == topic)
                #expect(deadLetter.header(DeadLetters.Header.sourceOffset) == "1")
                #expect(deadLetter.header(DeadLetters.Header.attempts) == "1")
                #expect(deadLetter.header(DeadLetters.Header.consumerGroup) == "ingest-test")
                // Everything after the poison message was handled too.
                try await eventually("the last message handled") {
                    let organizations = try await active.organizations(employee: "01019012345")
                    let rows = try await PipelineDatabase.count("sykmelding_period", postgres)
                    return organizations == ["987654321"] && rows == 1
                }
            }
        }
    }

    @Test func aTransientFailureIsRetriedWithBackoffUntilItSucceeds() async throws {
        let bed = try PipelineKafka(topics: ["work"])
        _ = try await bed.producer.send(topic: "work", key: Array("k".utf8), value: Array("flaky".utf8))
        _ = try await bed.producer.send(topic: "work", key: Array("k".utf8), value: Array("fine".utf8))
        let calls = Calls()
        let service = ConsumerRoleService(
            name: "test", consumerGroup: "retry", consumer: try bed.consumer(group: "retry", topics: ["work"]),
            deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter),
            retryPolicy: RetryPolicy(maximumAttempts: 5, initialDelay: .milliseconds(20)),
            logger: TestServices.logger
        ) { message in
            let count = await calls.record(message.text)
            if message.text == "flaky" && count < 3 { throw TransientFailure() }
        }
        try await bed.whileRunning(service) {
            try await eventually("both messages handled") { await calls.handled == ["flaky", "flaky", "flaky", "fine"] }
        }
        #expect(try await bed.deadLetters(0, within: .seconds(1)).isEmpty)
    }

    /// Our own PostgreSQL or Kafka being away is waited out for as long as it lasts: far more
    /// failures than the policy's attempts, and the message is still handled, not dead-lettered.
    @Test func ourOwnInfrastructureDownIsWaitedOutAndNeverDeadLetters() async throws {
        let bed = try PipelineKafka(topics: ["work"])
        _ = try await bed.producer.send(topic: "work", key: Array("plan-1".utf8), value: Array("needs the database".utf8))
        let calls = Calls()
        let service = ConsumerRoleService(
            name: "test", consumerGroup: "infrastructure", consumer: try bed.consumer(group: "infrastructure", topics: ["work"]),
            deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter),
            retryPolicy: RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(5)),
            logger: TestServices.logger, isOwnInfrastructureDown: Self.databaseDown
        ) { message in
            if await calls.record(message.text) <= 12 { throw DatabaseDown() }
        }
        try await bed.whileRunning(service) {
            try await eventually("the message handled once the database is back") { await calls.handled.count == 13 }
        }
        #expect(try await bed.deadLetters(0, within: .seconds(1)).isEmpty, "12 failures against a policy of 2 attempts, none dead-lettered")
    }

    /// The durable wait: a plan whose API is down is parked after its quick attempts (its offset
    /// committed, other plans moving on), a later message of the same plan is parked behind it
    /// rather than overtaking it, and both are handled, in order, once the API is back.
    @Test func aParkedPlanWaitsOutTheOutageAndItsLaterMessageWaitsBehindIt() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let bed = try PipelineKafka(topics: ["work"])
            for (key, text) in [("plan-1", "first"), ("plan-1", "second"), ("plan-2", "other")] {
                _ = try await bed.producer.send(topic: "work", key: Array(key.utf8), value: Array(text.utf8))
            }
            let apiIsDown = Flag(true)
            let done = Calls()
            var parking = ConsumerRoleService.Parking(
                store: ParkedMessageStore(postgres: postgres, logger: TestServices.logger),
                policy: ParkingPolicy(horizon: .seconds(120), initialDelay: .milliseconds(100), maximumDelay: .milliseconds(300)))
            parking.pollInterval = .milliseconds(50)
            let service = ConsumerRoleService(
                name: "test", consumerGroup: "parking", consumer: try bed.consumer(group: "parking", topics: ["work"]),
                deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter),
                retryPolicy: RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(5)),
                logger: TestServices.logger, parking: parking
            ) { message in
                if message.text == "first" && apiIsDown.value { throw TransientFailure() }
                _ = await done.record(message.text)
            }
            try await bed.whileRunning(service) {
                try await eventually("both messages of plan-1 parked") {
                    let handled = await done.handled
                    return try await PipelineDatabase.count("parked_message", postgres) == 2 && handled == ["other"]
                }
                try await Task.sleep(for: .seconds(1))
                #expect(await done.handled == ["other"], "the later message of plan-1 did not overtake the parked one")
                apiIsDown.value = false
                try await eventually("plan-1 handled after the outage") { await done.handled.count == 3 }
            }
            #expect(await done.handled == ["other", "first", "second"])
            #expect(try await PipelineDatabase.count("parked_message", postgres) == 0)
            #expect(try await bed.deadLetters(0, within: .seconds(1)).isEmpty)
        }
    }

    /// A member skips the read for an earlier parked message while it knows none is parked, but
    /// a message parked by the partition's previous owner (another replica, before a rebalance)
    /// still holds the plan's next message here: the member reads the table after every change
    /// of its partitions.
    @Test func aMessageParkedByThePartitionsPreviousOwnerHoldsThePlansNextMessage() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let bed = try PipelineKafka(topics: ["work"])
            let store = ParkedMessageStore(postgres: postgres, logger: TestServices.logger)
            // What the previous owner left: plan-1's first message, parked for a NAV outage.
            try await store.park(
                ParkedMessage(
                    sourceTopic: "work", sourcePartition: 0, sourceOffset: 1_000_000, key: Array("plan-1".utf8), value: Array("first".utf8),
                    headers: [],
                    attempts: 3), group: "handover", due: .seconds(3600), dependency: "dokarkiv", error: "dokarkiv unavailable")
            for (key, text) in [("plan-2", "other"), ("plan-1", "second"), ("plan-3", "third")] {
                _ = try await bed.producer.send(topic: "work", key: Array(key.utf8), value: Array(text.utf8))
            }
            let done = Calls()
            var parking = ConsumerRoleService.Parking(store: store, policy: ParkingPolicy(horizon: .seconds(7200)))
            parking.pollInterval = .milliseconds(50)
            let service = ConsumerRoleService(
                name: "test", consumerGroup: "handover", consumer: try bed.consumer(group: "handover", topics: ["work"]),
                deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter), logger: TestServices.logger,
                parking: parking
            ) { message in _ = await done.record(message.text) }
            try await bed.whileRunning(service) {
                try await eventually("the other plans handled") { await done.handled.count == 2 }
                try await eventually("plan-1's second message parked behind its first") {
                    try await PipelineDatabase.count("parked_message", postgres) == 2
                }
            }
            #expect(await done.handled == ["other", "third"], "plan-1's second message did not overtake the parked first")
        }
    }

    /// The member's memory of "nothing is parked": a read that began before a park of this member
    /// can never vouch for the time after it, and a rebalance forgets it.
    @Test func theMemoryOfNothingParkedEndsWithAParkOrARebalance() {
        let memory = NoneParked()
        let first = memory.needsCheck(rebalances: 1)
        #expect(first != nil, "nothing known yet: read")
        memory.confirm(first!)
        #expect(memory.needsCheck(rebalances: 1) == nil, "confirmed: no read")
        #expect(memory.needsCheck(rebalances: 2) != nil, "the partitions changed: read again")

        let racing = memory.needsCheck(rebalances: 2)!
        memory.parked()  // committed while the read was on its way
        memory.confirm(racing)
        #expect(memory.needsCheck(rebalances: 2) != nil, "the racing read does not hide the park")
        memory.confirm(memory.needsCheck(rebalances: 2)!)
        #expect(memory.needsCheck(rebalances: 2) == nil)
        memory.parked()
        #expect(memory.needsCheck(rebalances: 2) != nil, "a park of this member: read again")
    }

    /// Messages that ask at once share one read: the others wait for the probe's answer, and skip
    /// when it found nothing parked, or read for themselves when it did not.
    @Test func messagesThatAskAtOnceShareOneRead() async throws {
        for groupEmpty in [true, false] {
            let memory = NoneParked()
            guard case .read(let ticket, probe: true) = await memory.admit(rebalances: 1) else {
                Issue.record("the first to ask reads, as the probe")
                return
            }
            let waiting = Task {
                await withTaskGroup(of: NoneParked.Admission.self) { group in
                    for _ in 0..<20 { group.addTask { await memory.admit(rebalances: 1) } }
                    return await group.reduce(into: []) { $0.append($1) }
                }
            }
            defer { memory.finished(ticket) }  // a failed wait below leaves no waiter behind (a second call does nothing)
            // All 20 wait now, none reads (however slowly the machine starts them).
            try await eventually("the others wait for the probe") { memory.waiterCount == 20 }
            if groupEmpty { memory.confirm(ticket) }
            memory.finished(ticket)
            let admissions = await waiting.value
            if groupEmpty {
                #expect(admissions == Array(repeating: .skip, count: 20), "one read for all 21")
            } else {
                #expect(admissions == Array(repeating: .read(ticket, probe: false), count: 20), "something is parked: each reads")
            }
        }
        // A probe of a state that has changed since (a park here) is not waited for.
        let memory = NoneParked()
        guard case .read(let old, probe: true) = await memory.admit(rebalances: 1) else {
            Issue.record("the first to ask reads, as the probe")
            return
        }
        memory.parked()
        #expect(await memory.admit(rebalances: 1) == .read(.init(rebalances: 1, parks: 1), probe: false))
        memory.finished(old)
    }

    @Test func afterTheLastAttemptTheMessageIsDeadLetteredTheHookToldAndTheNextOneHandled() async throws {
        let bed = try PipelineKafka(topics: ["work"])
        _ = try await bed.producer.send(
            topic: "work", key: Array("plan-1".utf8), value: Array("broken".utf8), headers: [KafkaHeader(key: "traceparent", value: "00-abc")])
        _ = try await bed.producer.send(topic: "work", key: Array("plan-2".utf8), value: Array("fine".utf8))
        let calls = Calls()
        let hooks = Calls()
        let onDeadLetter: ConsumerRoleService.DeadLetterHook = { message, reason in
            _ = await hooks.record("\(message.keyText): \(reason.headerValue)")
        }
        let service = ConsumerRoleService(
            name: "test", consumerGroup: "exhaust", consumer: try bed.consumer(group: "exhaust", topics: ["work"]),
            deadLetters: DeadLetters(producer: bed.producer, topic: EventTopics.local.deadLetter),
            retryPolicy: RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(10)),
            logger: TestServices.logger, onDeadLetter: onDeadLetter
        ) { message in
            let count = await calls.record(message.text)
            if message.text == "broken" {
                // The first attempt fails only once the other plan's message was handled: one
                // plan's trouble must not hold another (it would wait here for 10 s in vain).
                if count == 1 {
                    try? await eventually("the other plan handled meanwhile", timeout: .seconds(10)) { await calls.handled.contains("fine") }
                }
                throw TransientFailure()
            }
        }
        try await bed.whileRunning(service) {
            let deadLetter = try await bed.deadLetters(1).first!
            #expect(deadLetter.keyText == "plan-1")
            #expect(deadLetter.text == "broken")
            #expect(deadLetter.header(DeadLetters.Header.attempts) == "3")
            #expect(deadLetter.header(DeadLetters.Header.reason) == "failed 3 times: dependency unavailable")
            #expect(deadLetter.header("traceparent") == "00-abc", "the message's own headers travel with it")
            try await eventually("the other plan's message handled") { await calls.handled.contains("fine") }
        }
        #expect(await calls.handled.filter { $0 == "broken" }.count == 3)
        #expect(await calls.handled.filter { $0 == "fine" }.count == 1)
        // Before the broken plan's retry: while its first attempt was at work. (Whether "fine"
        // or the first "broken" is recorded first is a race of two concurrent handlers.)
        let handled = await calls.handled
        let retries = handled.indices.filter { handled[$0] == "broken" }.dropFirst()
        #expect(handled.firstIndex(of: "fine").map { $0 < (retries.first ?? 0) } == true, "handled while the other plan's first attempt was at work")
        #expect(await hooks.handled == ["plan-1: failed 3 times: dependency unavailable"])
    }
}

struct DatabaseDown: Error {}

extension ConsumerRoleServiceTests {
    /// The test's stand-in for "PostgreSQL is away".
    static let databaseDown: ConsumerRoleService.InfrastructureCheck = { $0 is DatabaseDown }
}

struct TransientFailure: Error, CustomStringConvertible {
    var description: String { "dependency unavailable" }
}

/// A switch a test flips while a handler reads it.
final class Flag: Sendable {
    private let state: Mutex<Bool>
    init(_ value: Bool) { state = Mutex(value) }
    var value: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

actor Calls {
    private(set) var handled: [String] = []

    func record(_ text: String) -> Int {
        handled.append(text)
        return handled.filter { $0 == text }.count
    }
}

/// The test bed with the given topics and the dead-letter topic, and one producer.
struct PipelineKafka {
    let bed: KafkaTestBed
    let producer: KafkaProducer
    var cluster: EmbeddedKafkaCluster { bed.cluster }

    init(topics: [String], deadLetterPartitions: Int = 1) throws {
        bed = try KafkaTestBed(
            topics: topics.map { TopicSpec(name: $0, partitions: 1, replicationFactor: 1) }
                + [TopicSpec(name: EventTopics.local.deadLetter, partitions: deadLetterPartitions, replicationFactor: 1)])
        producer = try bed.producer()
    }

    func consumer(group: String, topics: [String]) throws -> KafkaConsumer { try bed.consumer(group: group, topics: topics) }

    /// Runs `service` while `body` runs.
    func whileRunning(_ service: ConsumerRoleService, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }

    /// The first `count` dead letters, failing after `within`; with `count` 0, whatever arrives
    /// within that time (to show that nothing does).
    func deadLetters(_ count: Int, within timeout: Duration = .seconds(30)) async throws -> [KafkaMessage] {
        let consumer = try consumer(group: "dlq-reader-\(UUID())", topics: [EventTopics.local.deadLetter])
        defer { Task { await consumer.close() } }
        return try await withThrowingTaskGroup(of: [KafkaMessage]?.self) { group in
            group.addTask {
                var taken: [KafkaMessage] = []
                for try await message in consumer.messages {
                    taken.append(message)
                    if taken.count == count && count > 0 { break }
                }
                return taken
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let taken = first else {
                if count == 0 { return [] }
                throw MissingTestService(description: "fewer than \(count) dead letters within \(timeout)")
            }
            return taken
        }
    }
}
