import Domain
import Foundation
import Kafka
import KafkaMock
import LocalStandIns
import Logging
import Synchronization
import TestSupport
import Testing

@testable import MottakApp

/// The service's log lines: one JSON object each, and never an identity number.
@Suite(.timeLimit(.minutes(5))) struct LogPrivacyTests {
    @Test func aLogLineIsOneJSONObjectWithTheCorrelationFieldsFirst() throws {
        let lines = LogLines()
        var logger = Logger(label: "mottak") { JSONLogHandler(label: $0, write: lines.append) }
        logger[metadataKey: "role"] = "intake"
        logger[metadataKey: "call_id"] = "call-1"
        logger.warning("a \"quoted\"\nmessage", metadata: ["plan_uuid": "p-1", "attempt": "2", "nested": ["a": "b"]])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false, "one line")
        #expect(line.hasPrefix(#"{"timestamp":""#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning" && object["message"] as? String == "a \"quoted\"\nmessage")
        #expect(object["role"] as? String == "intake" && object["call_id"] as? String == "call-1" && object["plan_uuid"] as? String == "p-1")
        #expect(object["attempt"] as? String == "2" && object["logger"] as? String == "mottak")
        let order = ["\"message\"", "\"role\"", "\"call_id\"", "\"plan_uuid\"", "\"attempt\""].map { line.range(of: $0)!.lowerBound }
        #expect(order == order.sorted(), "correlation fields right after the message")
    }

    /// Every fixture person through the pipeline (delivered, refused, GP unknown, not in PDL,
    /// protected address), a refused event submission and a dead-lettered one, at debug level:
    /// not one identity number in the service's log.
    @Test func aFullRunLogsNoIdentityNumber() async throws {
        let lines = LogLines()
        var logger = Logger(label: "mottak") { JSONLogHandler(label: $0, write: lines.append) }
        logger.logLevel = .debug
        try await PipelineFlowTests.withPipeline(logger: logger) { pipeline in
            var plans: [UUID] = []
            for person in LocalNavFixtures.all { plans.append(try await pipeline.submit(person)) }
            let producer = try KafkaProducer(
                configuration: KafkaConfiguration(bootstrapServers: pipeline.cluster.bootstrapServers), logger: TestServices.logger)
            let refused = PlanJSON.valid.merging(["employeeIdentificationNumber": LocalNavFixtures.ready.identificationNumber, "lpsName": NSNull()]) {
                $1
            }
            _ = try await producer.send(topic: EventTopics.local.submitted, key: nil, value: EventIntakeFlowTests.event(UUID(), plan: refused))
            _ = try await producer.send(
                topic: EventTopics.local.submitted, key: nil, value: Array("{\"fnr\":\"\(LocalNavFixtures.ready.identificationNumber)\"}".utf8))
            await producer.close(flushTimeout: .seconds(5))
            for plan in plans {
                try await eventually("plan \(plan) to settle") {
                    let state = try await PipelineFlowTests.state(of: plan, pipeline.postgres)
                    return state.map { PlanState(rawValue: $0)?.isFinal == true } ?? false
                }
            }
            try await eventually("the dead letter") { lines.all.contains { $0.contains("message sent to the dead-letter topic") } }
        }
        let log = lines.all
        #expect(log.count > 50, "the run logged (\(log.count) lines)")
        #expect(log.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] }, "every line is a JSON object")
        for person in LocalNavFixtures.all {
            let leaks = log.filter { $0.contains(person.identificationNumber) }
            #expect(leaks.isEmpty, "\(person.identificationNumber) in \(leaks.prefix(3))")
        }
    }
}

/// Log lines written by a ``JSONLogHandler``, kept for the test.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
}
