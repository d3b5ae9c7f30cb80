import ChannelRouter
import Domain
import EventIntake
import EventProcessing
import GpChannel
import Kafka
import Logging
import Lookup
import Metrics
import NavChannel
import NavClients
import OutboxRelay
import PlanPdf
import PlanStatusRecords
import PostgresNIO
import ServiceLifecycle
import StatusUpdater
import Storage
import SykmeldingIngest

/// Turns the roles a process runs into its services. Each feature declares its role
/// (``EventProcessing/ConsumingRole``: topic, group, handler, what a dead letter means); this
/// gives every consuming role the same group member and consume-retry-dead-letter loop, with
/// the durable wait for those that call NAV's APIs, started once the schema is current.
struct RoleAssembly {
    let configuration: AppConfiguration
    /// Every role of the process (some roles' wiring depends on which others are beside them).
    let roles: Set<Role>
    let kafka: KafkaConfiguration
    let postgres: PostgresClient
    let producer: KafkaProducer
    let schema: SchemaGate
    let metricsFactory: any MetricsFactory
    let logger: Logger
    /// NAV's APIs with the process's metrics and one circuit breaker per API, shared by every
    /// role that calls it.
    let navApis: NavApiConfiguration
    let circuits: DependencyCircuits

    init(
        configuration: AppConfiguration, roles: Set<Role>, kafka: KafkaConfiguration, postgres: PostgresClient, producer: KafkaProducer,
        schema: SchemaGate,
        metricsFactory: any MetricsFactory, logger: Logger
    ) {
        (self.configuration, self.roles, self.kafka, self.postgres, self.producer) = (configuration, roles, kafka, postgres, producer)
        (self.schema, self.metricsFactory, self.logger) = (schema, metricsFactory, logger)
        circuits = DependencyCircuits(settings: configuration.circuitSettings, metricsFactory: metricsFactory)
        var navApis = configuration.navApis
        navApis.metrics = ExternalCallMetrics(factory: metricsFactory)
        navApis.circuits = circuits
        self.navApis = navApis
    }

    /// The outbox relay's settings beside `roles`: where every role runs in the process (as on
    /// NAIS), every writer of outbox rows is there to nudge it (the intakes, and the roles
    /// writing public status events), and it polls once a second instead of every 50 ms.
    static func relaySettings(_ roles: Set<Role>) -> OutboxRelayService.Settings {
        var settings = OutboxRelayService.Settings()
        if roles.isSuperset(of: Role.allCases) {
            settings.wake = .process
            settings.idleInterval = .seconds(1)
        }
        return settings
    }

    /// The role's services; none for the HTTP roles, whose routes ``MottakApplication/buildRouter`` adds.
    func services(for role: Role) throws -> [any Service] {
        let roleLogger = logger.labelled(role: role)
        let context = RoleContext(
            name: role.rawValue, postgres: postgres, producer: producer, topics: configuration.topics, metricsFactory: metricsFactory,
            logger: roleLogger)
        switch role {
        case .intake, .statusQuery:
            return []
        case .outboxRelay:
            let relay = OutboxRelayService(
                store: OutboxStore(postgres: postgres, logger: roleLogger), producer: producer, settings: Self.relaySettings(roles),
                metricsFactory: metricsFactory, logger: roleLogger)
            return [AfterSchema(gate: schema, service: relay)]
        case .eventIntake:
            return try consuming(role, EventIntake.role(context))
        case .sykmeldingIngest:
            return try consuming(role, SykmeldingIngest.role(context))
        case .lookup:
            let tokens = try navApis.tokens(logger: roleLogger)
            let lookup = Lookup.role(
                context, aareg: try navApis.aaregClient(tokens: tokens), pdl: try navApis.pdlClient(tokens: tokens),
                pdfs: try pdfBuilder(tokens, roleLogger), devIdentitiesSkipChecks: configuration.devTestIdentitiesSkipChecks)
            return try consuming(role, lookup)
        case .router:
            return try consuming(role, ChannelRouter.role(context))
        case .navChannel:
            let tokens = try navApis.tokens(logger: roleLogger)
            let channel = NavChannel.role(
                context, pdfs: try pdfBuilder(tokens, roleLogger), ereg: try navApis.eregClient(tokens: tokens),
                dokarkiv: try navApis.dokarkivClient(tokens: tokens))
            return try consuming(role, channel)
        case .gpChannel:
            let tokens = try navApis.tokens(logger: roleLogger)
            let channel = GpChannel.role(
                context, pdfs: try pdfBuilder(tokens, roleLogger), isdialogmelding: try navApis.isdialogmeldingClient(tokens: tokens))
            return try consuming(role, channel)
        case .statusUpdater:
            return try consuming(role, StatusUpdater.role(context, batch: configuration.statusBatch))
        }
    }

    private func pdfBuilder(_ tokens: AzureADTokenProvider, _ roleLogger: Logger) throws -> PlanPdfBuilder {
        try navApis.pdfBuilder(
            plans: PlanPdfStore(postgres: postgres, logger: roleLogger), tokens: tokens, logger: roleLogger)
    }

    /// The role's group member (listed first, so it closes after the loop), the loop, started
    /// once the schema is current, and what the role runs beside it.
    private func consuming(_ role: Role, _ declared: ConsumingRole) throws -> [any Service] {
        let roleLogger = logger.labelled(role: role)
        let topics = configuration.topics
        let consumer = try KafkaConsumer(
            configuration: kafka, consumer: .init(groupID: declared.consumerGroup, topics: [declared.topic]), logger: roleLogger)
        let loop = ConsumerRoleService(
            name: declared.name, consumerGroup: declared.consumerGroup, consumer: consumer,
            deadLetters: DeadLetters(producer: producer, topic: topics.deadLetter),
            retryPolicy: configuration.retryPolicy, accessDeniedPolicy: configuration.accessDeniedRetryPolicy,
            processing: configuration.consumerProcessing[role] ?? .init(), metricsFactory: metricsFactory, logger: roleLogger,
            onDeadLetter: declared.deadLetterHook(status: status) ?? { _, _ in },
            isOwnInfrastructureDown: { ConsumerRoleService.kafkaUnavailable($0) || PostgresUnavailable.matches($0) },
            parking: declared.callsNavApis ? parking(for: declared, roleLogger) : nil,
            handler: declared.loopHandler(status: status))
        return [consumer, AfterSchema(gate: schema, service: loop)] + declared.companions.map { AfterSchema(gate: schema, service: $0) }
    }

    /// Where the loop's own status changes go (a dead letter's FAILED, a parked step's waiting
    /// notice, a re-drive's reopening): straight to the status row, as the roles' outcomes.
    private var status: StatusSink {
        let transitions = StatusTransitions(postgres: postgres, topics: configuration.topics, metricsFactory: metricsFactory, logger: logger)
        return { event in try await transitions.applyOutcome(event) }
    }

    /// The durable wait: parked while the API's circuit is open, all due at once when it
    /// closes, and a `WAITING` notice on the plan's status when parked.
    private func parking(for declared: ConsumingRole, _ roleLogger: Logger) -> ConsumerRoleService.Parking {
        var parking = ConsumerRoleService.Parking(
            store: ParkedMessageStore(postgres: postgres, logger: roleLogger), policy: configuration.parkingPolicy)
        parking.isDependencyDown = circuits.isOpen
        parking.recoveries = circuits.recoveries
        let (status, channel) = (status, declared.channel)
        parking.onParked = { message in try await StatusStepReports.sendWaiting(channel, for: message, to: status) }
        return parking
    }
}

extension Logger {
    /// This logger with the role's name on every line.
    func labelled(role: Role) -> Logger {
        var logger = self
        logger[metadataKey: "role"] = "\(role.rawValue)"
        return logger
    }
}
