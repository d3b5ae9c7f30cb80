import ApiSupport
import Foundation
import Hummingbird
import Kafka
import Logging
import Maskinporten
import PostgresNIO
import Prometheus
import ServiceLifecycle
import Storage
import TokenVerification
import UnixSignals

/// Builds the process: one Hummingbird application whose service group holds, in start order,
/// the probes' own server (with `INTERNAL_PORT`), the given leading services (local components
/// in `dev`), the PostgreSQL pool, the migration step, the Kafka producer when a role needs one,
/// and the roles (``RoleAssembly``, from what each feature declares); the HTTP server, with the
/// routes of ``buildRouter``, starts last. Shutdown runs in reverse: HTTP first, then the
/// roles, the producer (flushing), PostgreSQL, the local components, and the probes last.
public enum MottakApplication {
    /// Builds the process and runs it until SIGTERM or SIGINT, then shuts it down gracefully.
    public static func run(
        configuration: AppConfiguration,
        roles: Set<Role>,
        leadingServices: [any Service] = [],
        extraReadinessChecks: [String: @Sendable (PostgresClient) async throws -> String?] = [:],
        devRoutes: (Router<ApiRequestContext>) -> Void = { _ in },
        logger: Logger
    ) async throws {
        let shutdown = ShutdownAnnouncement()
        let watchdog = ShutdownWatchdog(limit: configuration.shutdownDrain + configuration.shutdownGrace + ShutdownWatchdog.margin, logger: logger)
        defer { watchdog.disarm() }
        let app = try build(
            configuration: configuration, roles: roles, leadingServices: leadingServices, extraReadinessChecks: extraReadinessChecks,
            devRoutes: devRoutes, shutdown: shutdown, logger: logger)
        // The announcer is last, so a SIGTERM reaches it first: readiness 503, a drain, then the
        // application's own shutdown.
        var group = ServiceGroupConfiguration(
            services: [
                .init(service: app),
                .init(
                    service: ShutdownAnnouncer(
                        announcement: shutdown, drain: configuration.shutdownDrain, watchdog: watchdog, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Past the grace period the rest is cancelled (unmarked messages go to the next member),
        // so the process exits before Kubernetes kills it.
        group.maximumGracefulShutdownDuration = configuration.shutdownGrace
        try await ServiceGroup(configuration: group).run()
    }

    public static func build(
        configuration: AppConfiguration,
        roles: Set<Role>,
        leadingServices: [any Service] = [],
        extraReadinessChecks: [String: @Sendable (PostgresClient) async throws -> String?] = [:],
        /// Routes only `mottak-dev` serves (``DevTokenRoute``); `serve` passes none.
        devRoutes: (Router<ApiRequestContext>) -> Void = { _ in },
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        shutdown: ShutdownAnnouncement = ShutdownAnnouncement(),
        /// Told the port the probes' own server listens on (`INTERNAL_PORT` 0 asks for any free one).
        onInternalPortBound: @escaping @Sendable (Int) async -> Void = { _ in },
        logger: Logger
    ) throws -> some ApplicationProtocol {
        guard let database = configuration.database else { throw ConfigurationError.missing("DATABASE_URL") }
        guard let kafka = configuration.kafka else { throw ConfigurationError.missing("KAFKA_BROKERS") }
        let usesKafka = roles.contains(where: \.usesKafka)
        let postgres = PostgresClient(configuration: try database.clientConfiguration(), backgroundLogger: logger)
        let metricsFactory = PrometheusMetricsFactory(registry: metrics)
        let (schema, migrations, migrating) = try schemaServices(configuration, postgres: postgres, logger: logger)
        var services: [any Service] = leadingServices + [postgres] + migrating
        if usesKafka {
            // One producer per process, for the relay, the roles' events and dead letters.
            let producer = try KafkaProducer(configuration: relayProducerConfiguration(kafka), logger: logger)
            services.append(producer)
            let assembly = RoleAssembly(
                configuration: configuration, roles: roles, kafka: kafka, postgres: postgres, producer: producer, schema: schema,
                metricsFactory: metricsFactory, logger: logger)
            for role in roles.sorted() { services += try assembly.services(for: role) }
        }

        let health = HealthRoutes(
            readiness: ReadinessProbe(
                postgres: postgres, migrations: migrations, kafka: usesKafka ? try KafkaAdminClient(configuration: kafka, logger: logger) : nil,
                extraChecks: extraReadinessChecks, shutdown: shutdown))
        let (router, routeServices) = try buildRouter(
            configuration: configuration, roles: roles, postgres: postgres, metricsFactory: metricsFactory, logger: logger)
        // First in the list: the probes' own server starts first and stops last, so the probes
        // answer (readiness 503) until the very end of a shutdown.
        services.insert(
            contentsOf: probes(health, metrics, configuration, router: router, onInternalPortBound: onInternalPortBound, logger: logger), at: 0)
        services += routeServices
        // Last, so that it sees every route (a test lists them).
        devRoutes(router)

        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(configuration.httpIdleTimeout / .nanoseconds(1))))),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: nil),
            services: services,
            onServerRunning: { channel in
                logger.notice("HTTP server listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger
        )
    }

    /// The gate the roles wait at until the schema is current, the runner the readiness probe
    /// asks, and the service that migrates on start. Without MIGRATE_ON_START the schema is
    /// someone else's job (`mottak migrate`); the readiness probe reports pending migrations.
    static func schemaServices(
        _ configuration: AppConfiguration, postgres: PostgresClient, logger: Logger
    ) throws -> (SchemaGate, MigrationRunner, [any Service]) {
        let schema = SchemaGate(open: !configuration.migrateOnStart)
        let migrations = MigrationRunner(
            migrations: try Migration.load(from: URL(fileURLWithPath: configuration.migrationsDirectory)), logger: logger)
        let migrating: [any Service] =
            configuration.migrateOnStart ? [MigrateOnStartService(runner: migrations, postgres: postgres, logger: logger, gate: schema)] : []
        return (schema, migrations, migrating)
    }

    /// The probes and metrics: on a server of their own when `INTERNAL_PORT` is set (returned,
    /// to run), else on the API's router (nothing to run).
    static func probes(
        _ health: HealthRoutes, _ metrics: PrometheusCollectorRegistry, _ configuration: AppConfiguration, router: Router<ApiRequestContext>,
        onInternalPortBound: @escaping @Sendable (Int) async -> Void, logger: Logger
    ) -> [any Service] {
        guard let internalPort = configuration.internalPort else {
            health.register(on: router)
            MetricsRoutes(registry: metrics).register(on: router)
            return []
        }
        return [
            InternalEndpoints.application(
                health: health, metrics: MetricsRoutes(registry: metrics), host: configuration.httpHost, port: internalPort,
                onBound: onInternalPortBound, logger: logger)
        ]
    }

    /// The producer gives up on a message after 30 s without acknowledgement (librdkafka's
    /// default is 5 minutes), so that with Kafka down the relay backs off and records the error
    /// instead of holding its rows' locks that long, and a dead letter that cannot be sent
    /// fails its message (left unmarked, it is retried). `KAFKA_PROPERTIES` may set another value.
    static func relayProducerConfiguration(_ kafka: KafkaConfiguration) -> KafkaConfiguration {
        var configuration = kafka
        if configuration.properties["message.timeout.ms"] == nil && configuration.properties["delivery.timeout.ms"] == nil {
            configuration.properties["message.timeout.ms"] = "30000"
        }
        return configuration
    }

    static func authenticator(_ configuration: AppConfiguration, logger: Logger) throws -> MaskinportenAuthenticator {
        guard let maskinporten = configuration.maskinporten else {
            throw ConfigurationError.missing("MASKINPORTEN_WELL_KNOWN_URL", because: "the intake and status routes verify Maskinporten tokens")
        }
        let keys = IssuerKeys(issuerName: "Maskinporten", wellKnownURL: maskinporten.wellKnownURL, logger: logger)
        return MaskinportenAuthenticator(keys: keys, requiredScope: configuration.maskinportenScope, leeway: configuration.maskinportenLeeway)
    }
}
