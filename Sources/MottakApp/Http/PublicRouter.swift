import ApiSupport
import AuditLog
import Domain
import Hummingbird
import Intake
import Logging
import Metrics
import ModiaApi
import PlanStatusRecords
import PostgresNIO
import ServiceLifecycle
import StatusQuery
import Storage
import Submissions
import Tracing

extension MottakApplication {
    /// The public router: the middleware every request passes, the documents, and the routes of
    /// the HTTP roles this process runs (intake, status query) behind Maskinporten; with the
    /// services those routes need (the intake's one LISTEN connection).
    static func buildRouter(
        configuration: AppConfiguration, roles: Set<Role>, postgres: PostgresClient, metricsFactory: any MetricsFactory, logger: Logger
    ) throws -> (Router<ApiRequestContext>, [any Service]) {
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
                "/api/v1/followupplan/{uuid}/sendingstatus": [.get], ModiaApi.plansPath: [.get], ModiaApi.pdfPath: [.get],
            ]))
        OpenAPIRoutes(assets: try StaticAssets.bundled(), topics: configuration.topics).register(on: router)
        guard roles.contains(.intake) || roles.contains(.statusQuery) else { return (router, []) }

        let topics = configuration.topics
        var services: [any Service] = []
        let lps = router.group().add(middleware: MaskinportenAuthMiddleware(authenticator: try authenticator(configuration, logger: logger)))
            .add(middleware: OrganisationConcurrencyLimit(limit: configuration.maximumConcurrentRequestsPerOrganisation))
        if roles.contains(.intake) {
            let intakeLogger = logger.labelled(role: .intake)
            // One LISTEN connection (of its own, outside the pool) for all the submissions
            // waiting for their outcome.
            let listener = PlanStatusListener(postgres: postgres, direct: configuration.database, logger: intakeLogger)
            services.append(listener)
            let outcomes = PlanOutcomeWaiter(
                listener: listener, reader: PlanStatusReader(postgres: postgres, logger: intakeLogger),
                bound: configuration.submissionWait)
            IntakeRoutes(
                store: SubmissionStore(postgres: postgres, topics: topics, logger: intakeLogger), outcomes: outcomes,
                connectionWait: configuration.storeConnectionWait, database: configuration.database
            )
            .register(on: lps)
        }
        if roles.contains(.statusQuery) {
            StatusRoutes(reader: PlanStatusReader(postgres: postgres, logger: logger.labelled(role: .statusQuery)))
                .register(on: lps)
            try caseWorkerRoutes(configuration, postgres: postgres, metricsFactory: metricsFactory, logger: logger.labelled(role: .statusQuery))
                .register(
                    on: router.group().add(
                        middleware: AzureADAuthMiddleware(authenticator: try configuration.navApis.caseWorkerAuthenticator(logger: logger))))
        }
        return (router, services)
    }

    /// The Modia routes (``ModiaApi``): NAV staff read a person's plans, checked by
    /// istilgangskontroll and written to the audit log.
    static func caseWorkerRoutes(
        _ configuration: AppConfiguration, postgres: PostgresClient, metricsFactory: any MetricsFactory, logger: Logger
    ) throws -> ModiaRoutes {
        let apis = configuration.navApis
        guard let address = configuration.auditLogAddress else {
            throw ConfigurationError.missing("AUDIT_LOG_ADDRESS", because: "the case workers' routes write every access to the audit log")
        }
        let audit = SyslogAuditTrail(host: address.host, port: address.port, appName: apis.appName, metricsFactory: metricsFactory, logger: logger)
        return ModiaRoutes(
            store: CaseWorkerPlanStore(postgres: postgres, logger: logger),
            access: try apis.istilgangskontrollClient(tokens: try apis.tokens(logger: logger)), audit: audit)
    }
}
