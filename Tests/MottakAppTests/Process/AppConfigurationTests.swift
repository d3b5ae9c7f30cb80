import Domain
import Foundation
import Kafka
import KafkaMock
import OutboxRelay
import Storage
import Testing

@testable import MottakApp

@Suite(.timeLimit(.minutes(5))) struct AppConfigurationTests {
    /// NAIS runs every role in every replica: the relay there is nudged by the outbox's writers
    /// and polls once a second. A relay without every writer beside it (its own deployment, say)
    /// polls every 50 ms as before.
    @Test func theOutboxRelayPollsSeldomOnlyBesideEveryRole() throws {
        let all = RoleAssembly.relaySettings(try Role.parse(["all"]))
        #expect(all.wake === OutboxWake.process && all.idleInterval == .seconds(1))
        for roles in [["outbox-relay"], ["outbox-relay", "intake", "event-intake"], ["outbox-relay", "event-intake", "lookup"]] {
            let alone = RoleAssembly.relaySettings(try Role.parse(roles))
            #expect(alone.wake == nil && alone.idleInterval == .milliseconds(50), "\(roles)")
        }
    }

    @Test func devModeNeedsNothingAndListensOnLoopback() throws {
        let configuration = try AppConfiguration(environment: [:], mode: .dev)
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.httpPort == 8080)
        #expect(configuration.clusterName == "local")
        #expect(configuration.migrateOnStart)
        #expect(configuration.migrationsDirectory == "migrations")
        #expect(configuration.database == nil)
        #expect(configuration.kafka == nil)
    }

    @Test func serveModeNamesTheMissingInfrastructure() {
        #expect(throws: ConfigurationError.self) { try AppConfiguration(environment: [:], mode: .serve) }
        expectError(["KAFKA_BROKERS": "k:9092"], mode: .serve, variable: "DATABASE_URL")
        expectError(["DATABASE_URL": "postgres://u:p@h/db"], mode: .serve, variable: "KAFKA_BROKERS")
    }

    @Test func theAuditLogIsNAISsUnlessSetAndLocalInDev() throws {
        let base = ["DATABASE_URL": "postgres://u:p@h/db", "KAFKA_BROKERS": "k:9092"]
        let serve = try AppConfiguration(environment: base, mode: .serve)
        #expect(serve.auditLogAddress?.host == "audit.nais" && serve.auditLogAddress?.port == 6514)
        let set = try AppConfiguration(environment: base.merging(["AUDIT_LOG_ADDRESS": "10.0.0.7:514"]) { $1 }, mode: .serve)
        #expect(set.auditLogAddress?.host == "10.0.0.7" && set.auditLogAddress?.port == 514)
        #expect(try AppConfiguration(environment: [:], mode: .dev).auditLogAddress == nil, "mottak-dev starts its collector")
        expectError(base.merging(["AUDIT_LOG_ADDRESS": "audit.nais"]) { $1 }, mode: .serve, variable: "AUDIT_LOG_ADDRESS")
        expectError(base.merging(["AUDIT_LOG_ADDRESS": "audit.nais:0"]) { $1 }, mode: .serve, variable: "AUDIT_LOG_ADDRESS")
    }

    @Test func serveLogsJSONAndDrainsWhileDevLogsTextAndStopsAtOnce() throws {
        let serve = try AppConfiguration(environment: ["DATABASE_URL": "postgres://u:p@h/db", "KAFKA_BROKERS": "k:9092"], mode: .serve)
        #expect(serve.logFormat == .json && serve.shutdownDrain == .seconds(5) && serve.shutdownGrace == .seconds(30))
        #expect(serve.submissionWait == .seconds(10))
        let dev = try AppConfiguration(environment: [:], mode: .dev)
        #expect(dev.logFormat == .text && dev.shutdownDrain == .zero)
    }

    @Test func consumersHandle256MessagesAtOnceUnlessARoleIsToldOtherwise() throws {
        let defaults = try AppConfiguration(environment: [:], mode: .dev)
        #expect(defaults.consumerProcessing[.navChannel] == KeyOrderedProcessing(maximumInFlight: 256))
        #expect(defaults.consumerProcessing[.intake] == nil, "the intake consumes nothing")
        let tuned = try AppConfiguration(
            environment: [
                "CONSUMER_MAX_IN_FLIGHT": "16", "CONSUMER_MAX_IN_FLIGHT_NAV_CHANNEL": "128", "CONSUMER_MAX_PARTITION_SPREAD": "50",
                "CONSUMER_REVOCATION_GRACE_MS": "2000",
            ], mode: .dev)
        #expect(tuned.consumerProcessing[.navChannel]?.maximumInFlight == 128)
        #expect(tuned.consumerProcessing[.statusUpdater]?.maximumInFlight == 16)
        #expect(tuned.consumerProcessing[.lookup]?.maximumPartitionSpread == 50)
        #expect(tuned.consumerProcessing[.lookup]?.revocationGrace == .seconds(2))
        expectError(["CONSUMER_MAX_IN_FLIGHT_GP_CHANNEL": "0"], mode: .dev, variable: "CONSUMER_MAX_IN_FLIGHT_GP_CHANNEL")
    }

    @Test func consumerAndProducerPropertiesStayApartAndStaticMembershipIsOptIn() throws {
        let base = ["KAFKA_BROKERS": "k:9092"]
        let split = try AppConfiguration(
            environment: base.merging([
                "KAFKA_PROPERTIES": "security.protocol=ssl", "KAFKA_CONSUMER_PROPERTIES": "session.timeout.ms=6000",
                "KAFKA_PRODUCER_PROPERTIES": "linger.ms=20",
            ]) { $1 }, mode: .dev)
        #expect(split.kafka?.properties == ["security.protocol": "ssl"])
        #expect(split.kafka?.consumerProperties == ["session.timeout.ms": "6000"])
        #expect(split.kafka?.producerProperties == ["linger.ms": "20"])
        // Static membership only when asked for: named after the pod.
        let plain = try AppConfiguration(environment: base.merging(["HOSTNAME": "mottak-nav-channel-7d9f-x2x7q"]) { $1 }, mode: .dev)
        #expect(plain.kafka?.consumerProperties["group.instance.id"] == nil)
        let pod = try AppConfiguration(
            environment: base.merging(["KAFKA_STATIC_MEMBERSHIP": "true", "HOSTNAME": "mottak-nav-channel-7d9f-x2x7q"]) { $1 }, mode: .dev)
        #expect(pod.kafka?.consumerProperties["group.instance.id"] == "mottak-nav-channel-7d9f-x2x7q")
        expectError(base.merging(["KAFKA_STATIC_MEMBERSHIP": "true"]) { $1 }, mode: .dev, variable: "HOSTNAME")
    }

    @Test func serveModeListensOnAllInterfacesWithNaisPort() throws {
        let configuration = try AppConfiguration(
            environment: [
                "DATABASE_URL": "postgres://u:p@h/db", "KAFKA_BROKERS": "k:9092", "APPLICATION_PORT": "9000", "NAIS_CLUSTER_NAME": "dev-gcp",
            ].merging(Self.naisRequired) { $1 },
            mode: .serve)
        #expect(configuration.httpHost == "0.0.0.0")
        #expect(configuration.httpPort == 9000)
        #expect(configuration.clusterName == "dev-gcp")
    }

    @Test func theDevTestIdentitiesAreOnInDevGcpInMottakDevOrByFlagAndNeverInProd() throws {
        let serve = ["DATABASE_URL": "postgres://u:p@localhost/db", "KAFKA_BROKERS": "localhost:9092"]
        #expect(
            try AppConfiguration(environment: serve.merging(["NAIS_CLUSTER_NAME": "dev-gcp"].merging(Self.naisRequired) { $1 }) { $1 }, mode: .serve)
                .devTestIdentitiesSkipChecks)
        #expect(try AppConfiguration(environment: serve.merging(["DEV_TEST_IDENTITIES": "true"]) { $1 }, mode: .serve).devTestIdentitiesSkipChecks)
        #expect(try !AppConfiguration(environment: serve, mode: .serve).devTestIdentitiesSkipChecks)
        #expect(try AppConfiguration(environment: [:], mode: .dev).devTestIdentitiesSkipChecks, "NAV's LPS demo submits for one")
        #expect(try !AppConfiguration(environment: ["DEV_TEST_IDENTITIES": "false"], mode: .dev).devTestIdentitiesSkipChecks)
        #expect(
            try !AppConfiguration(environment: ["NAIS_CLUSTER_NAME": "prod-gcp"].merging(Self.naisRequired) { $1 }, mode: .dev)
                .devTestIdentitiesSkipChecks)
        expectError(
            ["NAIS_CLUSTER_NAME": "prod-gcp", "DEV_TEST_IDENTITIES": "true"].merging(Self.naisRequired) { $1 }, variable: "DEV_TEST_IDENTITIES")
        // Not only prod-gcp: any cluster that does not say it is for development.
        for cluster in ["prod-fss", "Prod-gcp", "prod-gcp ", "staging"] {
            expectError(
                ["NAIS_CLUSTER_NAME": cluster, "DEV_TEST_IDENTITIES": "true"].merging(Self.naisRequired) { $1 }, variable: "DEV_TEST_IDENTITIES")
            #expect(
                try !AppConfiguration(environment: ["NAIS_CLUSTER_NAME": cluster].merging(Self.naisRequired) { $1 }, mode: .dev)
                    .devTestIdentitiesSkipChecks, "\(cluster)")
        }
    }

    /// Every topic we own named as on NAIS (`team-esyfo.<Topic name>`).
    /// What NAIS must name: the topics we own and the probes' own port.
    static let naisRequired = Dictionary(
        uniqueKeysWithValues: EventTopics.variables.filter(\.owned).map {
            ($0.name, "team-esyfo.\($0.name.lowercased().replacingOccurrences(of: "_", with: "-"))")
        }
    ).merging(["INTERNAL_PORT": "8081"]) { $1 }

    @Test func probesAndMetricsHaveAPortOfTheirOwnOnNais() throws {
        #expect(try AppConfiguration(environment: [:], mode: .dev).internalPort == nil, "locally they share the API's port")
        #expect(try AppConfiguration(environment: ["INTERNAL_PORT": "9090"], mode: .dev).internalPort == 9090)
        let onNais = Self.naisRequired.merging(["NAIS_CLUSTER_NAME": "dev-gcp"]) { $1 }
        #expect(try AppConfiguration(environment: onNais, mode: .dev).internalPort == 8081)
        expectError(onNais.filter { $0.key != "INTERNAL_PORT" }, variable: "INTERNAL_PORT", mentioning: "ingress")
        expectError(["INTERNAL_PORT": "8080"], variable: "INTERNAL_PORT", mentioning: "APPLICATION_PORT")
        expectError(["INTERNAL_PORT": "65536"], variable: "INTERNAL_PORT")
        #expect(try AppConfiguration(environment: ["INTERNAL_PORT": "0", "APPLICATION_PORT": "0"], mode: .dev).internalPort == 0, "any free port")
    }

    @Test func topicNamesComeFromConfigurationAndOnNaisOursMustBeNamed() throws {
        #expect(try AppConfiguration(environment: [:], mode: .dev).topics == .local)
        let renamed = try AppConfiguration(environment: ["KAFKA_TOPIC_CHANNEL_NAV": "team-esyfo.followupplan-channel-nav"], mode: .dev).topics
        #expect(renamed.navChannel == "team-esyfo.followupplan-channel-nav")
        #expect(renamed.gpChannel == EventTopics.local.gpChannel)
        // On NAIS a forgotten variable would mean a topic that does not exist: refused at start-up.
        expectError(["NAIS_CLUSTER_NAME": "dev-gcp"], variable: "KAFKA_TOPIC_RECEIVED", mentioning: "team-esyfo")
        var missingOne = Self.naisRequired
        missingOne["KAFKA_TOPIC_PUBLIC_STATUS"] = nil
        expectError(missingOne.merging(["NAIS_CLUSTER_NAME": "prod-gcp"]) { $1 }, variable: "KAFKA_TOPIC_PUBLIC_STATUS")
        let nais = try AppConfiguration(environment: Self.naisRequired.merging(["NAIS_CLUSTER_NAME": "prod-gcp"]) { $1 }, mode: .dev).topics
        #expect(nais.received == "team-esyfo.kafka-topic-received")
        // The topics other teams own have one name everywhere.
        #expect(nais.sendtSykmelding == "teamsykmelding.syfo-sendt-sykmelding")
        #expect(nais.modiaTask == "team-esyfo.aapen-syfo-oppfolgingsplan-lps-nav-v2")
        expectError(["KAFKA_TOPIC_STATUS": "plan status"], variable: "KAFKA_TOPIC_STATUS", mentioning: "plan status")
        expectError(["KAFKA_TOPIC_STATUS": String(repeating: "x", count: 250)], variable: "KAFKA_TOPIC_STATUS")
    }

    @Test func aBadValueNamesItsVariable() {
        expectError(["APPLICATION_PORT": "eighty"], variable: "APPLICATION_PORT", mentioning: "eighty")
        expectError(["APPLICATION_PORT": "70000"], variable: "APPLICATION_PORT")
        expectError(["MIGRATE_ON_START": "maybe"], variable: "MIGRATE_ON_START")
        expectError(["LOG_LEVEL": "loud"], variable: "LOG_LEVEL")
        expectError(["DATABASE_MAX_CONNECTIONS": "0"], variable: "DATABASE_MAX_CONNECTIONS")
        expectError(["LOG_FORMAT": "xml"], variable: "LOG_FORMAT")
        expectError(["SUBMISSION_WAIT_MS": "soon"], variable: "SUBMISSION_WAIT_MS")
        expectError(["SHUTDOWN_GRACE_SECONDS": "0"], variable: "SHUTDOWN_GRACE_SECONDS")
        expectError(["SHUTDOWN_DRAIN_MS": "-1"], variable: "SHUTDOWN_DRAIN_MS")
    }

    @Test func anInvalidDatabaseURLIsReportedWithoutThePassword() {
        do {
            _ = try AppConfiguration(environment: ["DATABASE_URL": "postgres://user:hunter2@host"], mode: .dev)
            Issue.record("accepted a URL without a database")
        } catch {
            #expect(error.variable == "DATABASE_URL")
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func readsNaisDatabaseVariables() throws {
        let configuration = try AppConfiguration(
            environment: [
                "GCP_DB_HOST": "10.0.0.5", "GCP_DB_PORT": "5433", "GCP_DB_DATABASE": "mottak",
                "GCP_DB_USERNAME": "app", "GCP_DB_PASSWORD": "s3cret", "GCP_DB_SSLMODE": "verify-ca",
            ], mode: .dev)
        #expect(
            configuration.database
                == DatabaseConfiguration(
                    host: "10.0.0.5", port: 5433, username: "app", password: "s3cret", database: "mottak", sslMode: .verifyCA))
    }

    @Test func aHalfConfiguredNaisDatabaseNamesWhatIsMissing() {
        expectError(["GCP_DB_HOST": "h", "GCP_DB_USERNAME": "u", "GCP_DB_DATABASE": "d"], variable: "GCP_DB_PASSWORD")
        expectError(
            ["GCP_DB_USERNAME": "u", "GCP_DB_PASSWORD": "p", "GCP_DB_DATABASE": "d", "GCP_DB_SSLCERT": "/c.pem"],
            variable: "GCP_DB_SSLKEY")
    }

    /// On NAIS a database over the network is verified: NAIS's verify-ca is kept, a missing mode
    /// becomes verify-ca, and TLS without a check (or none) is refused; the Cloud SQL proxy on
    /// the loopback interface needs none.
    @Test func onNaisADatabaseOverTheNetworkMustBeVerified() throws {
        let nais = ["GCP_DB_HOST": "10.0.0.5", "GCP_DB_DATABASE": "mottak", "GCP_DB_USERNAME": "app", "GCP_DB_PASSWORD": "s3cret"]
        func database(_ extra: [String: String]) throws -> DatabaseConfiguration? {
            try AppConfiguration.databaseOnNais(EnvironmentReader(values: nais.merging(extra) { $1 }), onNais: true)
        }
        #expect(try database([:])?.sslMode == .verifyCA)
        #expect(try database(["GCP_DB_SSLMODE": "verify-full"])?.sslMode == .verifyFull)
        for refused in ["prefer", "require", "disable"] {
            #expect(throws: ConfigurationError.self, "sslmode \(refused)") { try database(["GCP_DB_SSLMODE": refused]) }
        }
        #expect(throws: ConfigurationError.self) { try database(["DATABASE_URL": "postgres://u:p@db.example/db?sslmode=require"]) }
        #expect(try database(["GCP_DB_HOST": "127.0.0.1"])?.sslMode == .prefer, "the Cloud SQL proxy")
        #expect(try AppConfiguration.databaseOnNais(EnvironmentReader(values: nais), onNais: false)?.sslMode == .prefer, "outside NAIS")
    }

    @Test func databaseURLWinsOverNaisVariables() throws {
        let configuration = try AppConfiguration(
            environment: ["DATABASE_URL": "postgres://u:p@url-host/db", "GCP_DB_HOST": "nais-host"], mode: .dev)
        #expect(configuration.database?.host == "url-host")
    }

    @Test func kafkaTLSFromNaisPaths() throws {
        let configuration = try AppConfiguration(
            environment: [
                "KAFKA_BROKERS": "b1:26484,b2:26484", "KAFKA_CA_PATH": "/ca.pem",
                "KAFKA_CERTIFICATE_PATH": "/cert.pem", "KAFKA_PRIVATE_KEY_PATH": "/key.pem", "NAIS_APP_NAME": "lps-mottak",
            ], mode: .dev)
        #expect(
            configuration.kafka
                == KafkaConfiguration(
                    bootstrapServers: "b1:26484,b2:26484", clientID: "lps-mottak",
                    properties: [
                        "security.protocol": "ssl", "ssl.ca.location": "/ca.pem", "ssl.certificate.location": "/cert.pem",
                        "ssl.key.location": "/key.pem",
                    ]))
        expectError(["KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": "/ca.pem"], variable: "KAFKA_CERTIFICATE_PATH")
        expectError(["KAFKA_CA_PATH": "/ca.pem"], variable: "KAFKA_BROKERS")
    }

    @Test func anyLibrdkafkaPropertyPassesThroughAndOverridesOurs() throws {
        let configuration = try AppConfiguration(
            environment: [
                "KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": "/ca.pem", "KAFKA_CERTIFICATE_PATH": "/c.pem", "KAFKA_PRIVATE_KEY_PATH": "/k.pem",
                "KAFKA_PROPERTIES":
                    "linger.ms=20; ssl.cipher.suites=ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256\nssl.ca.location=/other.pem;",
            ], mode: .dev)
        let properties = try #require(configuration.kafka?.properties)
        #expect(properties["linger.ms"] == "20")
        #expect(properties["ssl.cipher.suites"] == "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256")
        #expect(properties["ssl.ca.location"] == "/other.pem")
        #expect(properties["security.protocol"] == "ssl")
        expectError(["KAFKA_BROKERS": "b:1", "KAFKA_PROPERTIES": "linger.ms"], variable: "KAFKA_PROPERTIES", mentioning: "linger.ms")
    }

    @Test func maskinportenSettingsFromNaisVariables() async throws {
        let defaults = try AppConfiguration(environment: [:], mode: .dev)
        #expect(defaults.maskinporten == nil, "dev starts its local issuer")
        #expect(defaults.maskinportenScope == "nav:oppfolgingsplan/lps.write")
        #expect(defaults.maskinportenLeeway == .seconds(30))

        let nais = try AppConfiguration(
            environment: [
                "MASKINPORTEN_WELL_KNOWN_URL": "https://test.maskinporten.no/.well-known/oauth-authorization-server",
                "MASKINPORTEN_CUSTOM_SCOPE_NAME": "nav:oppfolgingsplan/lps.write.test", "MASKINPORTEN_CLOCK_LEEWAY_SECONDS": "5",
            ], mode: .dev)
        #expect(try await nais.maskinporten?.wellKnownURL() == "https://test.maskinporten.no/.well-known/oauth-authorization-server")
        #expect(nais.maskinportenScope == "nav:oppfolgingsplan/lps.write.test")
        #expect(nais.maskinportenLeeway == .seconds(5))
        expectError(["MASKINPORTEN_CLOCK_LEEWAY_SECONDS": "3600"], variable: "MASKINPORTEN_CLOCK_LEEWAY_SECONDS")
    }

    @Test func rolesParseFromNamesListsAndAll() throws {
        #expect(try Role.parse(["all"]) == Set(Role.allCases))
        #expect(try Role.parse(["lookup,router", "status-updater"]) == [.lookup, .router, .statusUpdater])
        #expect(throws: ConfigurationError.self) { try Role.parse(["lokup"]) }
        #expect(throws: ConfigurationError.self) { try Role.parse([","]) }
    }

    @Test func everyConsumingRoleHasItsOwnConsumerGroup() {
        let groups = Role.allCases.compactMap(\.consumerGroup)
        #expect(Set(groups).count == groups.count)
        #expect(Role.lookup.consumerGroup == "oppfolgingsplan-mottak-lookup")
        #expect(Role.statusQuery.consumerGroup == nil)
    }

    private func expectError(
        _ environment: [String: String], mode: AppConfiguration.Mode = .dev, variable: String, mentioning text: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try AppConfiguration(environment: environment, mode: mode)
            Issue.record("accepted \(environment)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.variable == variable, sourceLocation: sourceLocation)
            #expect(error.description.contains(variable), sourceLocation: sourceLocation)
            if let text { #expect(error.description.contains(text), sourceLocation: sourceLocation) }
        }
    }
}
