import Domain
import Foundation
import Kafka
import KafkaMock
import LocalStandIns
import Logging
import MottakApp
import NavClients
import PostgresNIO
import ServiceLifecycle
import Storage

/// `mottak-dev`: everything on one machine. Supplies a local component only for what the
/// environment does not configure: no `KAFKA_BROKERS` → the embedded Kafka cluster; no
/// database variables → a throwaway PostgreSQL; no `MASKINPORTEN_WELL_KNOWN_URL` → a local
/// Maskinporten issuer on loopback. Either way the project's topics exist
/// afterwards (created on a configured cluster when missing).
public enum DevStack {
    /// The local issuer's key, shared by `mottak-dev` and `mottak-dev token` (git-ignored).
    public static let devIssuerKeyFile = URL(fileURLWithPath: ".mottak-dev/local-maskinporten-key.pem")
    /// The local Azure AD's key, shared by `mottak-dev` and `mottak-dev token --veileder`.
    public static let devAzureADKeyFile = URL(fileURLWithPath: ".mottak-dev/local-azuread-key.pem")
    /// Where the local audit collector writes what the case workers' routes record.
    public static let devAuditLogFile = URL(fileURLWithPath: ".mottak-dev/audit.log")
    /// How the configuration names the local issuer (tells `mottak-dev` it may mint tokens).
    public static let localIssuerDescription = "local issuer"

    /// The local components `prepare` started, for `mottak-dev stack`'s fault controls.
    public struct Components: Sendable {
        /// The services that own the local components, to be listed first in the service group
        /// so that they stop last.
        public var services: [any Service] = []
        public var kafka: EmbeddedKafkaCluster?
        public var maskinporten: LocalMaskinportenServer?
        public var navApis: LocalNavServer?
        public var auditCollector: LocalAuditCollector?
        /// The throwaway PostgreSQL's URL, when one was started.
        public var databaseURL: String?
    }

    /// Fills in `configuration` and returns the services that own the local components, to be
    /// listed first in the service group so that they stop last.
    public static func prepare(
        _ configuration: inout AppConfiguration,
        postgresScript: String = "scripts/throwaway-postgres.sh",
        logger: Logger
    ) async throws -> [any Service] {
        try await prepareComponents(&configuration, postgresScript: postgresScript, logger: logger).services
    }

    /// ``prepare(_:postgresScript:logger:)``, also handing out the local components.
    public static func prepareComponents(
        _ configuration: inout AppConfiguration,
        postgresScript: String = "scripts/throwaway-postgres.sh",
        logger: Logger
    ) async throws -> Components {
        var components = Components()
        if let kafka = configuration.kafka {
            let admin = try KafkaAdminClient(configuration: kafka, logger: logger)
            let created = try await admin.createMissingTopics(TopicPartitions.all(configuration.topics), timeout: .seconds(15))
            logger.notice(
                "using the configured Kafka cluster",
                metadata: ["kafka.brokers": "\(kafka.bootstrapServers)", "topics.created": "\(created)"])
        } else {
            let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: logger)
            try cluster.createTopics(TopicPartitions.all(configuration.topics))
            configuration.kafka = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
            components.services.append(EmbeddedKafkaService(cluster: cluster))
            components.kafka = cluster
            try await seedSykmeldinger(configuration.kafka!, topic: configuration.topics.sendtSykmelding, logger: logger)
            logger.notice("embedded Kafka cluster started", metadata: ["kafka.brokers": "\(cluster.bootstrapServers)"])
        }
        if configuration.maskinporten == nil {
            let issuer = try LocalMaskinportenIssuer(keyFile: devIssuerKeyFile)
            let server = LocalMaskinportenServer(issuers: [issuer], logger: logger)
            configuration.maskinporten = MaskinportenConfiguration(description: localIssuerDescription) { await server.wellKnownURL() }
            components.services.append(server)
            components.maskinporten = server
            logger.notice("local Maskinporten issuer started", metadata: ["key.file": "\(devIssuerKeyFile.path)"])
        }
        if configuration.navApis.hasGaps {
            let server = try LocalNavServer(
                port: configuration.localStandIns.port, azureAD: try LocalAzureADIssuer(keyFile: devAzureADKeyFile), logger: logger)
            if configuration.localStandIns.latency > .zero {
                for api in LocalNavServer.API.allCases { server.inject(.delay(configuration.localStandIns.latency), into: api) }
            }
            let apis = standIns(server, filling: configuration.navApis)
            configuration.navApis = apis
            components.services.append(server)
            components.navApis = server
            logger.notice("local stand-ins for NAV's APIs started (those not configured)")
        }
        if configuration.auditLogAddress == nil {
            let collector = try await LocalAuditCollector.start(appendingTo: devAuditLogFile)
            configuration.auditLogAddress = ("127.0.0.1", collector.port)
            components.services.append(collector)
            components.auditCollector = collector
            logger.notice("local audit log collector started", metadata: ["audit.file": "\(devAuditLogFile.path)"])
        }
        if configuration.database == nil {
            let (postgres, url) = try await ThrowawayPostgres.start(script: postgresScript, logger: logger)
            // Should this process die before the service group runs, the script sees its parent
            // gone and removes the cluster itself.
            components.services.insert(postgres, at: 0)
            components.databaseURL = url
            configuration.database = try .init(url: url)
            logger.notice(
                "throwaway PostgreSQL started", metadata: ["database.host": "\(configuration.database!.host):\(configuration.database!.port)"])
        }
        return components
    }

    /// `apis` with every unset API pointed at `server`, and local scopes and credentials.
    static func standIns(_ server: LocalNavServer, filling apis: NavApiConfiguration) -> NavApiConfiguration {
        var apis = apis
        apis.azureTokenEndpoint = apis.azureTokenEndpoint ?? EndpointURL { await server.baseURL(.azureAD) + "/token" }
        apis.azureClientID = apis.azureClientID ?? LocalAzureADIssuer.localClientID
        apis.azureWellKnownURL = apis.azureWellKnownURL ?? EndpointURL { await server.baseURL(.azureAD) + "/.well-known/openid-configuration" }
        apis.istilgangskontroll = apis.istilgangskontroll ?? EndpointURL { await server.baseURL(.istilgangskontroll) }
        apis.istilgangskontrollScope = apis.istilgangskontrollScope ?? "local.teamsykefravr.istilgangskontroll"
        apis.azureClientSecret = apis.azureClientSecret ?? "local-secret"
        apis.aareg = apis.aareg ?? EndpointURL { await server.baseURL(.aareg) }
        apis.aaregScope = apis.aaregScope ?? "local.arbeidsforhold.aareg-services"
        apis.pdl = apis.pdl ?? EndpointURL { await server.baseURL(.pdl) + "/graphql" }
        apis.pdlScope = apis.pdlScope ?? "local.pdl.pdl-api"
        apis.krr = apis.krr ?? EndpointURL { await server.baseURL(.krr) }
        apis.krrScope = apis.krrScope ?? "local.team-rocket.digdir-krr-proxy"
        apis.pdfgen = apis.pdfgen ?? EndpointURL { await server.baseURL(.pdfgen) }
        apis.ereg = apis.ereg ?? EndpointURL { await server.baseURL(.ereg) }
        apis.eregScope = apis.eregScope ?? "local.arbeidsforhold.ereg-services"
        apis.dokarkiv = apis.dokarkiv ?? EndpointURL { await server.baseURL(.dokarkiv) }
        apis.dokarkivScope = apis.dokarkivScope ?? "local.teamdokumenthandtering.dokarkiv"
        apis.isdialogmelding = apis.isdialogmelding ?? EndpointURL { await server.baseURL(.isdialogmelding) }
        apis.isdialogmeldingScope = apis.isdialogmeldingScope ?? "local.teamsykefravr.isdialogmelding"
        return apis
    }

    /// `mottak-dev`'s extra readiness check when it seeded the sykmelding topic: ready once the
    /// sykmelding ingest has stored the seeded periods, so that a plan submitted as soon as the
    /// stack says ready is not rejected for a sykmelding that is still on its way.
    public static let seedIngestedCheck: [String: @Sendable (PostgresClient) async throws -> String?] = [
        "sykmelding-seed": { postgres in
            let expected = seededPeriodsKept
            var stored = 0
            let rows = try await postgres.query("SELECT count(*)::int8 FROM sykmelding_period WHERE sykmelding_id LIKE 'local-sykmelding-%'")
            for try await count in rows.decode(Int.self) { stored = count }
            return stored >= expected ? nil : "\(stored) of \(expected) seeded sykmelding periods ingested"
        }
    ]

    /// How many of the seeded sykmelding periods the ingest keeps: the ended one is past its grace.
    static var seededPeriodsKept: Int {
        LocalNavFixtures.all.filter { ($0.sykmelding?.tomDaysFromToday ?? -99) >= -SendtSykmelding.graceDays }.count
    }

    /// Publishes the fixture people's sykmeldinger, so that the lookup finds them active.
    static func seedSykmeldinger(_ kafka: KafkaConfiguration, topic: String, logger: Logger) async throws {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        for message in LocalSykmeldingSeed.messages() {
            _ = try await producer.send(topic: topic, key: Array(message.key.utf8), value: message.value)
        }
        await producer.close(flushTimeout: .seconds(5))
        logger.notice("seeded the sykmelding topic", metadata: ["sykmeldinger": "\(LocalSykmeldingSeed.messages().count)"])
    }
}
