import ArgumentParser
import Foundation
import Kafka
import Logging
import MottakApp
import Storage

/// `mottak`: the one binary of oppfolgingsplan-mottak. Each subcommand reads its configuration
/// from the environment (see the README's table) and stops with a message naming the variable
/// when a value is missing or wrong.
@main
struct Mottak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mottak",
        abstract: "Receives follow-up plans (oppfølgingsplaner) and delivers them to NAV and the GP.",
        subcommands: [Serve.self, Migrate.self, Dev.self]
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
        let logger = makeLogger(configuration)
        logger.notice("starting", metadata: ["roles": "\(roles.sorted().map(\.rawValue))", "cluster": "\(configuration.clusterName)"])
        try await MottakApplication.run(configuration: configuration, roles: roles, logger: logger)
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

struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every role in one process on local components: embedded Kafka and a throwaway PostgreSQL, unless configured.")

    func run() async throws {
        var configuration = try AppConfiguration(environment: ProcessInfo.processInfo.environment, mode: .dev)
        let logger = makeLogger(configuration)
        let localServices = try await DevStack.prepare(&configuration, logger: logger)
        print(
            """

            oppfolgingsplan-mottak (dev) on http://\(configuration.httpHost):\(configuration.httpPort)
              curl -i http://\(configuration.httpHost):\(configuration.httpPort)/internal/is_ready
              Kafka:      \(configuration.kafka?.bootstrapServers ?? "")
              PostgreSQL: \(configuration.database.map { "\($0.username)@\($0.host):\($0.port)/\($0.database)" } ?? "")
            Ctrl-C stops everything.

            """)
        try await MottakApplication.run(
            configuration: configuration, roles: Set(Role.allCases), leadingServices: localServices, logger: logger)
    }
}

private func makeLogger(_ configuration: AppConfiguration) -> Logger {
    var logger = Logger(label: "mottak")
    logger.logLevel = configuration.logLevel
    return logger
}
