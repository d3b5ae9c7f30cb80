import ArgumentParser
import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import MottakApp
import Storage

/// `mottak`: the production binary of oppfolgingsplan-mottak (the image's). Each subcommand reads
/// its configuration from the environment (see `docs/configuration.md`) and stops with a message
/// naming the variable when a value is missing or wrong. The local stack, its stand-ins and its
/// tokens are another binary's, `mottak-dev`: none of them is linked here.
@main
struct Mottak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mottak",
        abstract: "Receives follow-up plans (oppfølgingsplaner) and delivers them to NAV and the GP.",
        subcommands: [Serve.self, Migrate.self, DeadLetterCommand.self]
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one or more roles against the configured PostgreSQL and Kafka (production).")

    @Option(name: .long, help: "A role, a comma-separated list of roles, or all. Repeatable.")
    var role: [String] = ["all"]

    func run() async throws {
        let roles = try Role.parse(role)
        let configuration = try AppConfiguration(environment: ProcessInfo.processInfo.environment, mode: .serve)
        let tracing = try TracingSetup.bootstrapIfConfigured(ProcessInfo.processInfo.environment)
        let logger = makeLogger(configuration, tracing: tracing != nil)
        logger.notice(
            "starting",
            metadata: ["roles": "\(roles.sorted().map(\.rawValue))", "cluster": "\(configuration.clusterName)", "tracing": "\(tracing != nil)"])
        try await MottakApplication.run(configuration: configuration, roles: roles, leadingServices: tracing.map { [$0] } ?? [], logger: logger)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migrations from MIGRATIONS_DIR to the configured database, then exit.")

    func run() async throws {
        let configuration = try AppConfiguration(environment: ProcessInfo.processInfo.environment, mode: .dev)
        let logger = makeLogger(configuration)
        guard let database = configuration.database else {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "is not set (nor GCP_DB_*), so there is no database to migrate")
        }
        let runner = MigrationRunner(
            migrations: try Migration.load(from: URL(fileURLWithPath: configuration.migrationsDirectory)), logger: logger)
        let applied = try await withPostgresClient(database, logger: logger) { try await runner.migrate(on: $0) }
        if applied.isEmpty {
            print("The database is current: all \(runner.migrations.count) migrations were already applied.")
        } else {
            print("Applied \(applied.count) migration(s): \(applied.map(\.identifier).joined(separator: ", ")).")
        }
    }
}

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
