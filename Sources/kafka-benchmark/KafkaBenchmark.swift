import Foundation
import Kafka
import KafkaMock
import Logging

/// `make bench-kafka`: our producer against `kcat -P` on the same embedded broker, with the
/// same settings (idempotent, acks=all, librdkafka's other defaults), in one run.
///
/// Throughput: `messages` messages of `size` bytes, no key, to a 6-partition topic; ours sends
/// them as one batch (`send(_:to:)`, every delivery report checked), kcat reads them from a
/// file and exits once all are delivered. Rounds alternate; the median counts.
/// Each round's topic is new; our long-lived producer first sends it one acknowledged message
/// (the time of that first send is reported separately), while kcat's time includes its whole
/// process start. A third row measures the per-message API (`enqueue`, then `flush`).
/// Latency: sequential acknowledged `send`s of one message each.
///
/// The broker runs in a child process of its own (this program with the argument `broker`),
/// for both contenders: kcat is a separate process anyway, and a broker inside the measured
/// process would take CPU from the producer under test, which no real broker does.
@main
struct KafkaBenchmark {
    static let messages = Int(ProcessInfo.processInfo.environment["BENCH_MESSAGES"] ?? "") ?? 200_000
    static let size = 300
    static let rounds = 7
    static let latencySamples = 2_000

    static func main() async throws {
        var logger = Logger(label: "kafka-benchmark")
        logger.logLevel = .warning
        if CommandLine.arguments.dropFirst().first == "broker" {
            try serveBroker(logger: logger)
            return
        }
        let broker = try BrokerProcess.start()
        defer { broker.stop() }
        let bootstrap = broker.bootstrapServers
        let configuration = KafkaConfiguration(bootstrapServers: bootstrap, clientID: "kafka-benchmark")
        let payload = Array(String(repeating: "x", count: size).utf8)
        let file = try writeKcatInput(payload: payload)
        defer { try? FileManager.default.removeItem(at: file) }

        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        _ = try await produce(producer, topic: "warm-up", count: 10_000, payload: payload)

        var ours: [Double] = []
        var kcat: [Double] = []
        var single: [Double] = []
        var firstSend: [Double] = []
        for round in 0..<rounds {
            let start = ContinuousClock.now
            try await producer.send(topic: "ours-\(round)", key: nil, value: payload)
            firstSend.append((ContinuousClock.now - start).seconds * 1000)
            ours.append(Double(messages) / (try await produce(producer, topic: "ours-\(round)", count: messages, payload: payload)))
            kcat.append(Double(messages) / (try await runKcat(bootstrap: bootstrap, topic: "kcat-\(round)", input: file)))
            try await producer.send(topic: "single-\(round)", key: nil, value: payload)
            single.append(Double(messages) / (try await produceOneByOne(producer, topic: "single-\(round)", count: messages, payload: payload)))
        }

        var latencies: [Double] = []
        for _ in 0..<latencySamples {
            let start = ContinuousClock.now
            try await producer.send(topic: "latency", key: nil, value: payload)
            latencies.append((ContinuousClock.now - start).seconds * 1000)
        }
        await producer.close(flushTimeout: .seconds(10))

        let oursMedian = median(ours)
        let kcatMedian = median(kcat)
        latencies.sort()
        let p50 = latencies[latencies.count / 2]
        let p99 = latencies[latencies.count * 99 / 100]
        print(
            """
            Kafka producer benchmark: \(messages) messages × \(size) B, 6 partitions, embedded broker (1, own process), idempotent, acks=all
            | producer | messages/s (median of \(rounds)) | rounds |
            |---|---|---|
            | ours (KafkaProducer.send(batch)) | \(Int(oursMedian)) | \(ours.map { String(Int($0)) }.joined(separator: ", ")) |
            | kcat -P (same librdkafka) | \(Int(kcatMedian)) | \(kcat.map { String(Int($0)) }.joined(separator: ", ")) |
            | ours, one enqueue per message, then flush | \(Int(median(single))) | \(single.map { String(Int($0)) }.joined(separator: ", ")) |
            single acknowledged send, \(latencySamples) in sequence: p50 \(format(p50)) ms, p99 \(format(p99)) ms (librdkafka's linger.ms default: 5)
            first send to a topic the producer has not used yet: \(firstSend.map(format).joined(separator: ", ")) ms (includes its metadata lookup)
            RESULT kafka_produce_msgs_per_s_ours \(Int(oursMedian))
            RESULT kafka_produce_msgs_per_s_kcat \(Int(kcatMedian))
            RESULT kafka_produce_ratio_vs_kcat \(format(oursMedian / kcatMedian))
            RESULT kafka_produce_msgs_per_s_ours_per_message_api \(Int(median(single)))
            RESULT kafka_send_latency_p50_ms \(format(p50))
            RESULT kafka_send_latency_p99_ms \(format(p99))
            RESULT kafka_first_send_to_new_topic_ms \(format(median(firstSend)))
            """)
    }

    /// Seconds to send `count` messages as one batch and hold a successful report for each.
    static func produce(_ producer: KafkaProducer, topic: String, count: Int, payload: [UInt8]) async throws -> Double {
        let messages = Array(repeating: KafkaOutgoingMessage(key: nil, value: payload), count: count)
        let start = ContinuousClock.now
        let results = await producer.send(messages, to: topic)
        let elapsed = (ContinuousClock.now - start).seconds
        let failed = results.filter { if case .failure = $0 { true } else { false } }.count
        guard failed == 0 else { throw BenchmarkError(description: "\(failed) of \(count) messages were not delivered") }
        return elapsed
    }

    /// Seconds to `enqueue` `count` messages one by one, flush, and check every report.
    static func produceOneByOne(_ producer: KafkaProducer, topic: String, count: Int, payload: [UInt8]) async throws -> Double {
        let start = ContinuousClock.now
        var deliveries: [Delivery] = []
        deliveries.reserveCapacity(count)
        for _ in 0..<count {
            deliveries.append(try await producer.enqueue(topic: topic, key: nil, value: payload))
        }
        try await producer.flush(timeout: .seconds(60))
        for delivery in deliveries { _ = try await delivery.report() }  // all resolved: no suspension
        return (ContinuousClock.now - start).seconds
    }

    /// Seconds for `kcat -P` to send every line of `input` and exit (it waits for delivery).
    static func runKcat(bootstrap: String, topic: String, input: URL) async throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
        process.arguments = ["-P", "-b", bootstrap, "-t", topic, "-X", "enable.idempotence=true", "-X", "acks=all", "-l", input.path]
        let (exited, continuation) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in continuation.finish() }
        let start = ContinuousClock.now
        try process.run()
        for await _ in exited {}
        let elapsed = (ContinuousClock.now - start).seconds
        guard process.terminationStatus == 0 else { throw BenchmarkError(description: "kcat exited with \(process.terminationStatus)") }
        return elapsed
    }

    static func writeKcatInput(payload: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kcat-input-\(UUID().uuidString)")
        var data = Data(capacity: messages * (size + 1))
        for _ in 0..<messages {
            data.append(contentsOf: payload)
            data.append(UInt8(ascii: "\n"))
        }
        try data.write(to: url)
        return url
    }

    /// The child's side: host the cluster and its topics, print the bootstrap servers, and keep
    /// them up until standard input closes (the parent exits or stops us).
    static func serveBroker(logger: Logger) throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        try cluster.createTopics(
            (0..<rounds).flatMap { ["ours-\($0)", "kcat-\($0)", "single-\($0)"] }.map { TopicSpec(name: $0, partitions: 6) }
                + [TopicSpec(name: "latency", partitions: 1), TopicSpec(name: "warm-up", partitions: 6)])
        FileHandle.standardOutput.write(Data("BOOTSTRAP=\(cluster.bootstrapServers)\n".utf8))
        while readLine() != nil {}
        withExtendedLifetime(cluster) {}
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// This program running as `kafka-benchmark broker`; stops when its standard input closes.
struct BrokerProcess {
    let bootstrapServers: String
    private let process: Process
    private let input: Pipe

    static func start() throws -> BrokerProcess {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).absoluteURL
        process.arguments = ["broker"]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var buffered = Data()
        while true {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchmarkError(description: "the broker process ended before it was ready") }
            buffered.append(chunk)
            let lines = String(decoding: buffered, as: UTF8.self).split(separator: "\n")
            if let line = lines.first(where: { $0.hasPrefix("BOOTSTRAP=") }) {
                return BrokerProcess(bootstrapServers: String(line.dropFirst("BOOTSTRAP=".count)), process: process, input: input)
            }
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        withExtendedLifetime(process) {}
    }
}
