import ArgumentParser
import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import MottakApp
import Storage

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
