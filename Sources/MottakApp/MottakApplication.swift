import Foundation
import Hummingbird
import Kafka
import Logging
import PostgresNIO
import ServiceLifecycle
import Storage
import UnixSignals

/// Builds the process: one Hummingbird application whose service group holds, in start order,
/// the given leading services (local components in `dev`), the PostgreSQL pool, the migration
/// step, and the roles; the HTTP server starts last. Shutdown runs in reverse: HTTP first,
/// PostgreSQL and local components last.
public enum MottakApplication {
    /// Builds the process and runs it until SIGTERM or SIGINT, then shuts it down gracefully.
    public static func run(
        configuration: AppConfiguration,
        roles: Set<Role>,
        leadingServices: [any Service] = [],
        logger: Logger
    ) async throws {
        try await build(configuration: configuration, roles: roles, leadingServices: leadingServices, logger: logger)
            .runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    public static func build(
        configuration: AppConfiguration,
        roles: Set<Role>,
        leadingServices: [any Service] = [],
        logger: Logger
    ) throws -> some ApplicationProtocol {
        guard let database = configuration.database else { throw ConfigurationError.missing("DATABASE_URL") }
        guard let kafka = configuration.kafka else { throw ConfigurationError.missing("KAFKA_BROKERS") }

        let postgres = PostgresClient(configuration: try database.clientConfiguration(), backgroundLogger: logger)
        let migrations = MigrationRunner(
            migrations: try Migration.load(from: URL(fileURLWithPath: configuration.migrationsDirectory)), logger: logger)
        let kafkaAdmin = try KafkaAdminClient(configuration: kafka, logger: logger)

        var services: [any Service] = leadingServices + [postgres]
        if configuration.migrateOnStart {
            services.append(MigrateOnStartService(runner: migrations, postgres: postgres, logger: logger))
        }
        for role in roles.sorted() {
            var roleLogger = logger
            roleLogger[metadataKey: "role"] = "\(role.rawValue)"
            services.append(PendingRoleService(role: role, logger: roleLogger))
        }

        let router = Router()
        HealthRoutes(readiness: ReadinessProbe(postgres: postgres, migrations: migrations, kafka: kafkaAdmin)).register(on: router)

        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: nil),
            services: services,
            onServerRunning: { channel in
                logger.notice("HTTP server listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger
        )
    }
}
