import ApiSupport
import ChannelRouter
import Domain
import EventIntake
import EventProcessing
import Foundation
import GpChannel
import Hummingbird
import Intake
import Kafka
import Logging
import Lookup
import Maskinporten
import Metrics
import NavChannel
import NavClients
import OutboxRelay
import PostgresNIO
import Prometheus
import ServiceLifecycle
import StatusQuery
import StatusUpdater
import Storage
import SykmeldingIngest
import Tracing
import UnixSignals

/// Builds the process: one Hummingbird application whose service group holds, in start order,
/// the given leading services (local components in `dev`), the PostgreSQL pool, the migration
/// step, the Kafka producer when a role needs one, and the roles; the HTTP server starts last.
/// Shutdown runs in reverse: HTTP first, then the roles, the producer (flushing), PostgreSQL,
/// and the local components last.
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
        /// Routes only `mottak dev` serves (``DevTokenRoute``); `serve` passes none.
        devRoutes: (Router<ApiRequestContext>) -> Void = { _ in },
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        shutdown: ShutdownAnnouncement = ShutdownAnnouncement(),
        logger: Logger
    ) throws -> some ApplicationProtocol {
        guard let database = configuration.database else { throw ConfigurationError.missing("DATABASE_URL") }
        guard let kafka = configuration.kafka else { throw ConfigurationError.missing("KAFKA_BROKERS") }

        let postgres = PostgresClient(configuration: try database.clientConfiguration(), backgroundLogger: logger)
        let migrations = MigrationRunner(
            migrations: try Migration.load(from: URL(fileURLWithPath: configuration.migrationsDirectory)), logger: logger)
        let kafkaAdmin = roles.contains(where: \.usesKafka) ? try KafkaAdminClient(configuration: kafka, logger: logger) : nil
        let metricsFactory = PrometheusMetricsFactory(registry: metrics)
        var navApis = configuration.navApis
        let topics = configuration.topics
        navApis.metrics = ExternalCallMetrics(factory: metricsFactory)
        // One breaker per API for the whole process, shared by every role that calls it.
        let circuits = DependencyCircuits(settings: configuration.circuitSettings, metricsFactory: metricsFactory)
        navApis.circuits = circuits

        var services: [any Service] = leadingServices + [postgres]
        // Without MIGRATE_ON_START the schema is someone else's job (`mottak migrate`); the
        // readiness probe reports pending migrations.
        let schema = SchemaGate(open: !configuration.migrateOnStart)
        if configuration.migrateOnStart {
            services.append(MigrateOnStartService(runner: migrations, postgres: postgres, logger: logger, gate: schema))
        }
        // One producer per process, for the relay, the roles' events and dead letters.
        let sharedProducer =
            roles.contains(where: \.usesKafka)
            ? try KafkaProducer(configuration: relayProducerConfiguration(kafka), logger: logger) : nil
        if let sharedProducer { services.append(sharedProducer) }
        @Sendable func producer() -> KafkaProducer {
            guard let sharedProducer else { preconditionFailure("every role that uses Kafka gets the shared producer") }
            return sharedProducer
        }
        func parking(_ role: Role, _ roleLogger: Logger) -> ConsumerRoleService.Parking {
            var parking = ConsumerRoleService.Parking(
                store: ParkedMessageStore(postgres: postgres, logger: roleLogger), policy: configuration.parkingPolicy)
            parking.isDependencyDown = circuits.isOpen
            parking.recoveries = circuits.recoveries
            let channel: DeliveryChannel? = role == .navChannel ? .nav : role == .gpChannel ? .generalPractitioner : nil
            parking.onParked = { message in
                try await PlanFailureReport.sendWaiting(channel, for: message, producer: producer(), topics: topics)
            }
            return parking
        }
        /// A consuming role: its group member (listed first, so it closes after the loop) and
        /// the consume-retry-dead-letter loop, started once the schema is current.
        func consume(
            _ role: Role, group: String, topic: String, logger roleLogger: Logger,
            onDeadLetter: ConsumerRoleService.DeadLetterHook? = nil, handler roleHandler: @escaping ConsumerRoleService.Handler
        ) throws {
            // The roles whose dead-lettering records FAILED reopen it for a re-driven message.
            let handler =
                onDeadLetter == nil
                ? roleHandler
                : Redriven.reopening(
                    role == .navChannel ? .nav : role == .gpChannel ? .generalPractitioner : nil, producer: producer(), topics: topics, roleHandler)
            let consumer = try KafkaConsumer(configuration: kafka, consumer: .init(groupID: group, topics: [topic]), logger: roleLogger)
            services.append(consumer)
            services.append(
                AfterSchema(
                    gate: schema,
                    service: ConsumerRoleService(
                        name: role.rawValue, consumerGroup: group, consumer: consumer,
                        deadLetters: DeadLetters(producer: producer(), topic: topics.deadLetter),
                        retryPolicy: configuration.retryPolicy, accessDeniedPolicy: configuration.accessDeniedRetryPolicy,
                        processing: configuration.consumerProcessing[role] ?? .init(), metricsFactory: metricsFactory, logger: roleLogger,
                        onDeadLetter: onDeadLetter ?? { _, _ in },
                        isOwnInfrastructureDown: { ConsumerRoleService.kafkaUnavailable($0) || PostgresUnavailable.matches($0) },
                        parking: role.callsNavApis ? parking(role, roleLogger) : nil,
                        handler: handler)))
        }
        let planFailed: ConsumerRoleService.DeadLetterHook = { message, reason in
            try await PlanFailureReport.send(for: message, reason: reason, producer: producer(), topics: topics)
        }

        for role in roles.sorted() {
            var roleLogger = logger
            roleLogger[metadataKey: "role"] = "\(role.rawValue)"
            switch role {
            case .intake, .statusQuery:
                break  // HTTP routes, registered below.
            case .eventIntake:
                try consume(
                    role, group: EventIntake.consumerGroup, topic: topics.submitted, logger: roleLogger,
                    handler: EventIntakeHandler(
                        store: PlanStore(postgres: postgres, topics: topics, logger: roleLogger), producer: producer(), topics: topics,
                        logger: roleLogger
                    )
                    .handle)
            case .outboxRelay:
                services.append(
                    AfterSchema(
                        gate: schema,
                        service: OutboxRelayService(
                            store: OutboxStore(postgres: postgres, logger: roleLogger), producer: producer(),
                            metricsFactory: metricsFactory, logger: roleLogger)))
            case .sykmeldingIngest:
                let store = SykmeldingPeriodStore(postgres: postgres, logger: roleLogger)
                try consume(
                    role, group: SykmeldingIngest.consumerGroup, topic: topics.sendtSykmelding, logger: roleLogger,
                    handler: SykmeldingIngestHandler(store: store, metricsFactory: metricsFactory, logger: roleLogger).handle)
                services.append(AfterSchema(gate: schema, service: PeriodPurgeService(store: store, logger: roleLogger)))
            case .lookup:
                let tokens = try navApis.tokens(logger: roleLogger)
                let checks = LookupChecks(
                    aareg: try navApis.aaregClient(tokens: tokens),
                    sykmeldinger: SykmeldingPeriodStore(postgres: postgres, logger: roleLogger),
                    pdl: try navApis.pdlClient(tokens: tokens))
                let handler = LookupHandler(
                    checks: checks, plans: PlanStore(postgres: postgres, topics: topics, logger: roleLogger),
                    steps: ProcessedSteps(postgres: postgres, logger: roleLogger), producer: producer(), topics: topics,
                    devIdentitiesSkipChecks: configuration.devTestIdentitiesSkipChecks, logger: roleLogger)
                try consume(
                    role, group: Lookup.consumerGroup, topic: topics.received, logger: roleLogger, onDeadLetter: planFailed,
                    handler: handler.handle)
            case .navChannel, .gpChannel:
                let tokens = try navApis.tokens(logger: roleLogger)
                let plans = PlanStore(postgres: postgres, topics: topics, logger: roleLogger)
                let steps = ProcessedSteps(postgres: postgres, logger: roleLogger)
                let pdfs = try navApis.pdfBuilder(plans: plans, tokens: tokens, logger: roleLogger)
                let channel: DeliveryChannel = role == .navChannel ? .nav : .generalPractitioner
                let channelFailed: ConsumerRoleService.DeadLetterHook = { message, reason in
                    try await PlanFailureReport.sendChannelFailed(channel, for: message, reason: reason, producer: producer(), topics: topics)
                }
                if role == .navChannel {
                    let handler = NavChannelHandler(
                        plans: plans, steps: steps, pdfs: pdfs, ereg: try navApis.eregClient(tokens: tokens),
                        dokarkiv: try navApis.dokarkivClient(tokens: tokens), producer: producer(), topics: topics, metricsFactory: metricsFactory,
                        logger: roleLogger
                    )
                    try consume(
                        role, group: NavChannel.consumerGroup, topic: topics.navChannel, logger: roleLogger, onDeadLetter: channelFailed,
                        handler: handler.handle)
                } else {
                    let handler = GpChannelHandler(
                        plans: plans, steps: steps, pdfs: pdfs, isdialogmelding: try navApis.isdialogmeldingClient(tokens: tokens),
                        producer: producer(), topics: topics, metricsFactory: metricsFactory, logger: roleLogger)
                    try consume(
                        role, group: GpChannel.consumerGroup, topic: topics.gpChannel, logger: roleLogger, onDeadLetter: channelFailed,
                        handler: handler.handle)
                }
            case .router:
                try consume(
                    role, group: ChannelRouter.consumerGroup, topic: topics.verified, logger: roleLogger, onDeadLetter: planFailed,
                    handler: RouterHandler(producer: producer(), topics: topics, logger: roleLogger).handle)
            case .statusUpdater:
                let handler = StatusUpdateHandler(
                    store: PlanStatusStore(postgres: postgres, topics: topics, logger: roleLogger), batch: configuration.statusBatch,
                    metricsFactory: metricsFactory,
                    logger: roleLogger)
                try consume(role, group: StatusUpdater.consumerGroup, topic: topics.status, logger: roleLogger, handler: handler.handle)
            }
        }

        let router = Router(context: ApiRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware(factory: metricsFactory))
        // A span per request, continuing the caller's traceparent; only with a tracer (its
        // span attributes cost a few percent of a submission even when nothing records them).
        if !(InstrumentationSystem.tracer is NoOpTracer) { router.add(middleware: TracingMiddleware()) }
        router.add(middleware: TraceLogMiddleware())
        router.add(middleware: CallIDMiddleware())
        router.add(middleware: ApiErrorMiddleware())
        router.add(
            middleware: MethodNotAllowedMiddleware([
                "/api/v1/followupplan": [.post], "/api/v1/followupplan/verify-integration": [.get],
                "/api/v1/followupplan/{uuid}/sendingstatus": [.get],
            ]))
        let health = HealthRoutes(
            readiness: ReadinessProbe(
                postgres: postgres, migrations: migrations, kafka: kafkaAdmin, extraChecks: extraReadinessChecks, shutdown: shutdown))
        if let internalPort = configuration.internalPort {
            // First in the list: it starts first and stops last, so the probes answer (readiness
            // 503) until the very end of a shutdown.
            services.insert(
                InternalEndpoints.application(
                    health: health, metrics: MetricsRoutes(registry: metrics), host: configuration.httpHost, port: internalPort, logger: logger),
                at: 0)
        } else {
            health.register(on: router)
            MetricsRoutes(registry: metrics).register(on: router)
        }
        OpenAPIRoutes(assets: try StaticAssets.bundled(), topics: topics).register(on: router)
        if roles.contains(.intake) || roles.contains(.statusQuery) {
            let lps = router.group().add(middleware: MaskinportenAuthMiddleware(authenticator: try authenticator(configuration, logger: logger)))
                .add(middleware: OrganisationConcurrencyLimit(limit: configuration.maximumConcurrentRequestsPerOrganisation))
            if roles.contains(.intake) {
                var intakeLogger = logger
                intakeLogger[metadataKey: "role"] = "\(Role.intake.rawValue)"
                // One LISTEN connection for all the submissions waiting for their outcome.
                let listener = PlanStatusListener(postgres: postgres, logger: intakeLogger)
                services.append(listener)
                let outcomes = PlanOutcomeWaiter(
                    listener: listener, store: PlanStatusStore(postgres: postgres, topics: topics, logger: intakeLogger),
                    bound: configuration.submissionWait)
                IntakeRoutes(
                    store: PlanStore(postgres: postgres, topics: topics, logger: intakeLogger), outcomes: outcomes,
                    connectionWait: configuration.storeConnectionWait
                )
                .register(on: lps)
            }
            if roles.contains(.statusQuery) {
                var statusLogger = logger
                statusLogger[metadataKey: "role"] = "\(Role.statusQuery.rawValue)"
                StatusRoutes(store: PlanStatusStore(postgres: postgres, topics: topics, logger: statusLogger)).register(on: lps)
            }
        }

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
        let keys = MaskinportenKeys(wellKnownURL: maskinporten.wellKnownURL, logger: logger)
        return MaskinportenAuthenticator(keys: keys, requiredScope: configuration.maskinportenScope, leeway: configuration.maskinportenLeeway)
    }
}
