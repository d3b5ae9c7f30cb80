import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Storage

/// Thrown when a test needs a service that the environment does not provide. Such a test fails
/// with this message; it never skips, because a skipped test hides a broken set-up.
public struct MissingTestService: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

public enum TestServices {
    /// The repository's root folder, found from this file's path.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let migrationsDirectory = repositoryRoot.appendingPathComponent("migrations")

    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    /// The throwaway cluster that `make test` starts (scripts/throwaway-postgres.sh).
    public static func postgresServer() throws -> DatabaseConfiguration {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw MissingTestService(
                description: "DATABASE_URL is not set: this test needs PostgreSQL. Run the suite with `make test`, "
                    + "or `scripts/throwaway-postgres.sh -- swift test`.")
        }
        return try DatabaseConfiguration(url: url, maximumConnections: 4)
    }

    /// Runs `body` against a new, empty database of its own, dropped afterwards, so that tests
    /// that migrate or break schemas run in parallel without seeing each other.
    public static func withFreshDatabase<T: Sendable>(
        _ body: @escaping @Sendable (DatabaseConfiguration, PostgresClient) async throws -> T
    ) async throws -> T {
        let server = try postgresServer()
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        _ = try await withClient(server) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let database = {
            var database = server
            database.database = name
            return database
        }()
        do {
            let result = try await withClient(database) { try await body(database, $0) }
            try await dropDatabase(name, server: server)
            return result
        } catch {
            try? await dropDatabase(name, server: server)
            throw error
        }
    }

    /// Runs `body` against a fresh database of its own with every migration applied.
    public static func withMigratedDatabase(_ body: @escaping @Sendable (PostgresClient) async throws -> Void) async throws {
        try await withFreshDatabase { _, postgres in
            try await MigrationRunner(migrations: try Migration.load(from: migrationsDirectory), logger: logger).migrate(on: postgres)
            try await body(postgres)
        }
    }

    /// A running client for `database`, shut down when `body` returns.
    public static func withClient<T: Sendable>(
        _ database: DatabaseConfiguration,
        _ body: @escaping @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        try await withPostgresClient(database, logger: logger, body)
    }

    private static func dropDatabase(_ name: String, server: DatabaseConfiguration) async throws {
        _ = try await withClient(server) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }
}

extension TestServices {
    /// Runs blocking work (plain librdkafka calls in tests) on NIO's blocking pool, so it never
    /// holds one of the few threads of Swift's cooperative pool.
    public static func runBlocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
