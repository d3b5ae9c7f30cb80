import ArgumentParser
import Domain
import Foundation
import Kafka
import KafkaMock
import LocalStandIns
import Logging
import MottakApp
import MottakDev
import ServiceLifecycle
import UnixSignals

/// `mottak-dev stack`: the local components of `mottak-dev` without any role, plus fault
/// controls (``DevControlServer``), for roles run as separate processes the way Kubernetes runs
/// them: the fault suite kills and restarts them one by one, the benchmark measures each one's
/// memory. Writes the environment a role process needs (`export NAME=value` lines) to
/// `--env-file` once everything listens.
struct DevStackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract:
            "Run only the local components (embedded Kafka, local Maskinporten, NAV stand-ins; a throwaway PostgreSQL unless DATABASE_URL is set) with fault controls, for roles run as separate processes."
    )

    @Option(help: "Where to write the role processes' environment (export lines).")
    var envFile: String

    @Option(help: "The fault controls' port on 127.0.0.1.")
    var controlPort = 18099

    func run() async throws {
        // The stack always hosts its own Kafka, Maskinporten and stand-ins; of the environment it
        // takes only the database, the stand-ins' settings, logging and the topics' names (the
        // image test runs the roles with NAIS's fully qualified names).
        let kept = ["DATABASE_URL", "LOCAL_STANDINS_PORT", "LOCAL_STANDINS_LATENCY_MS", "LOG_LEVEL", "LOG_FORMAT"]
        var configuration = try AppConfiguration(
            environment: ProcessInfo.processInfo.environment.filter { kept.contains($0.key) || $0.key.hasPrefix("KAFKA_TOPIC_") }, mode: .dev)
        let logger = makeLogger(configuration)
        let components = try await DevStack.prepareComponents(&configuration, logger: logger)
        guard let kafka = components.kafka, let navApis = components.navApis else {
            throw ValidationError("the stack did not start the embedded Kafka and the stand-ins")
        }
        let control = DevControlServer(kafka: kafka, navApis: navApis, port: controlPort, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: components.services.map { .init(service: $0) } + [.init(service: control)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let topics = configuration.topics
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let environment =
                    try await roleEnvironment(components, databaseURL: ProcessInfo.processInfo.environment["DATABASE_URL"])
                    + EventTopics.variables.map { ($0.name, topics[keyPath: $0.topic]) }
                let text = environment.map { "export \($0.0)='\($0.1)'" }.joined(separator: "\n") + "\n"
                try text.write(toFile: envFile, atomically: true, encoding: .utf8)
                logger.notice("the stack is up; role processes read their environment from \(envFile)")
            }
            try await tasks.waitForAll()
        }
    }

    /// What a role process needs to use this stack, once its servers listen.
    func roleEnvironment(_ components: DevStack.Components, databaseURL: String?) async throws -> [(String, String)] {
        guard let kafka = components.kafka, let maskinporten = components.maskinporten, let nav = components.navApis,
            let audit = components.auditCollector, let database = databaseURL ?? components.databaseURL
        else { throw ValidationError("the stack did not start every local component") }
        return [
            ("KAFKA_BROKERS", kafka.bootstrapServers),
            ("DATABASE_URL", database),
            ("MASKINPORTEN_WELL_KNOWN_URL", await maskinporten.wellKnownURL()),
            ("AZURE_OPENID_CONFIG_TOKEN_ENDPOINT", await nav.baseURL(.azureAD) + "/token"),
            ("AZURE_APP_CLIENT_ID", LocalAzureADIssuer.localClientID), ("AZURE_APP_CLIENT_SECRET", "local-secret"),
            ("AAREG_URL", await nav.baseURL(.aareg)), ("AAREG_SCOPE", "local.arbeidsforhold.aareg-services"),
            ("PDL_URL", await nav.baseURL(.pdl) + "/graphql"), ("PDL_SCOPE", "local.pdl.pdl-api"),
            ("KRR_PROXY_URL", await nav.baseURL(.krr)), ("KRR_PROXY_SCOPE", "local.team-rocket.digdir-krr-proxy"),
            ("OP_PDFGEN_URL", await nav.baseURL(.pdfgen)),
            ("EREG_URL", await nav.baseURL(.ereg)), ("EREG_SCOPE", "local.arbeidsforhold.ereg-services"),
            ("DOKARKIV_URL", await nav.baseURL(.dokarkiv)), ("DOKARKIV_SCOPE", "local.teamdokumenthandtering.dokarkiv"),
            ("ISDIALOGMELDING_URL", await nav.baseURL(.isdialogmelding)), ("ISDIALOGMELDING_CLIENT_ID", "local.teamsykefravr.isdialogmelding"),
            ("AZURE_APP_WELL_KNOWN_URL", await nav.baseURL(.azureAD) + "/.well-known/openid-configuration"),
            ("ISTILGANGSKONTROLL_URL", await nav.baseURL(.istilgangskontroll)),
            ("ISTILGANGSKONTROLL_CLIENT_ID", "local.teamsykefravr.istilgangskontroll"),
            ("AUDIT_LOG_ADDRESS", "127.0.0.1:\(audit.port)"),
            ("DEV_CONTROL_URL", "http://127.0.0.1:\(controlPort)"),
        ]
    }
}
