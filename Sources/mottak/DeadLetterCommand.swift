import ArgumentParser
import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import MottakApp
import Storage

/// `mottak dlq list|redrive`: the dead-letter topic, for operators (see the runbook).
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "List or re-drive the messages on the dead-letter topic (KAFKA_TOPIC_DEAD_LETTER, locally followupplan.dlq).",
        subcommands: [List.self, Redrive.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every dead letter with its source, attempts and reason.")

        func run() async throws {
            let (kafka, topics, logger) = try DeadLetterCommand.kafka()
            let entries = try await DeadLetterTool(kafka: kafka, topics: topics, logger: logger).list()
            for entry in entries { print(entry) }
            print("\(entries.count) dead letter(s).")
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Put every dead letter not re-driven before back on its source topic (each committed once it is back; safe to run again); the role that handles it reopens its plan's status."
        )

        func run() async throws {
            let (kafka, topics, logger) = try DeadLetterCommand.kafka()
            let producer = try KafkaProducer(configuration: kafka, logger: logger)
            let report: DeadLetterTool.RedriveReport
            do {
                report = try await DeadLetterTool(kafka: kafka, topics: topics, logger: logger).redrive(producer: producer)
            } catch {
                await producer.close(flushTimeout: .seconds(10))
                print("Re-driving stopped: \(error). What was re-driven before is committed; run it again to go on.")
                throw ExitCode(1)
            }
            await producer.close(flushTimeout: .seconds(10))
            for entry in report.redriven { print("re-driven: \(entry)") }
            for (entry, why) in report.skipped { print("skipped (\(why)): \(entry)") }
            print("\(report.redriven.count) dead letter(s) re-driven, \(report.skipped.count) skipped.")
        }
    }

    static func kafka() throws -> (KafkaConfiguration, EventTopics, Logger) {
        let configuration = try AppConfiguration(environment: ProcessInfo.processInfo.environment, mode: .dev)
        guard let kafka = configuration.kafka else {
            throw ConfigurationError(variable: "KAFKA_BROKERS", problem: "is not set, so there is no dead-letter topic to read")
        }
        return (kafka, configuration.topics, makeLogger(configuration))
    }
}
