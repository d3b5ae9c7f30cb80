import ApiSupport
import Foundation
import Kafka
import KafkaMock
import LocalStandIns
import PostgresNIO
import ServiceLifecycle
import ServiceLifecycleTestKit
import Storage
import SykmeldingIngest
import TestSupport
import Testing

@testable import MottakApp
@testable import MottakDev

/// `mottak-dev` supplies local components only for what the environment leaves unset.
@Suite(.timeLimit(.minutes(5))) struct DevStackTests {
    let logger = TestServices.logger
    static let externalIssuer = "https://test.maskinporten.no/.well-known/oauth-authorization-server"
    /// Every NAV API configured (nothing listens there): `mottak-dev` then starts no stand-ins.
    static let navApiEnvironment = [
        "AZURE_OPENID_CONFIG_TOKEN_ENDPOINT": "http://127.0.0.1:1/token", "AZURE_APP_CLIENT_ID": "id", "AZURE_APP_CLIENT_SECRET": "secret",
        "AAREG_URL": "http://127.0.0.1:1/aareg", "AAREG_SCOPE": "aareg", "PDL_URL": "http://127.0.0.1:1/pdl", "PDL_SCOPE": "pdl",
        "KRR_PROXY_URL": "http://127.0.0.1:1/krr", "KRR_PROXY_SCOPE": "krr", "OP_PDFGEN_URL": "http://127.0.0.1:1",
        "EREG_URL": "http://127.0.0.1:1", "EREG_SCOPE": "ereg", "DOKARKIV_URL": "http://127.0.0.1:1", "DOKARKIV_SCOPE": "dokarkiv",
        "ISDIALOGMELDING_URL": "http://127.0.0.1:1", "ISDIALOGMELDING_CLIENT_ID": "isdialogmelding",
        "AZURE_APP_WELL_KNOWN_URL": "http://127.0.0.1:1/.well-known/openid-configuration", "ISTILGANGSKONTROLL_URL": "http://127.0.0.1:1",
        "ISTILGANGSKONTROLL_CLIENT_ID": "istilgangskontroll", "AUDIT_LOG_ADDRESS": "127.0.0.1:1",
    ]

    @Test func startsTheEmbeddedKafkaWithTheProjectsTopicsWhenNoBrokersAreConfigured() async throws {
        var configuration = try AppConfiguration(environment: [:], mode: .dev)
        configuration.database = try TestServices.postgresServer()
        let services = try await DevStack.prepare(&configuration, logger: logger)

        #expect(services.count == 4, "the embedded Kafka, the local Maskinporten, the stand-ins of NAV's APIs and the audit log collector")
        #expect(configuration.maskinporten?.description == DevStack.localIssuerDescription)
        let kafka = try #require(configuration.kafka)
        let topics = try await KafkaAdminClient(configuration: kafka, logger: logger).topics(timeout: .seconds(10))
        for spec in TopicPartitions.all {
            #expect(topics[spec.name] == spec.partitions, "\(spec.name)")
        }
        withExtendedLifetime(services) {}
    }

    @Test func usesConfiguredKafkaAndDatabaseInsteadOfLocalOnes() async throws {
        let external = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        try external.createTopics(TopicPartitions.all)
        let database = try TestServices.postgresServer()
        var configuration = try AppConfiguration(
            environment: ["KAFKA_BROKERS": external.bootstrapServers, "MASKINPORTEN_WELL_KNOWN_URL": Self.externalIssuer]
                .merging(Self.navApiEnvironment) { $1 }, mode: .dev)
        configuration.database = database

        let services = try await DevStack.prepare(&configuration, logger: logger)

        #expect(services.isEmpty)
        #expect(configuration.kafka?.bootstrapServers == external.bootstrapServers)
        #expect(configuration.database == database)
        #expect(configuration.maskinporten?.description == Self.externalIssuer)
        withExtendedLifetime(external) {}
    }

    @Test func startsAThrowawayPostgresWhenNoDatabaseIsConfiguredAndRemovesItOnShutdown() async throws {
        let external = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        try external.createTopics(TopicPartitions.all)
        var configuration = try AppConfiguration(
            environment: ["KAFKA_BROKERS": external.bootstrapServers, "MASKINPORTEN_WELL_KNOWN_URL": Self.externalIssuer]
                .merging(Self.navApiEnvironment) { $1 }, mode: .dev)
        let script = TestServices.repositoryRoot.appendingPathComponent("scripts/throwaway-postgres.sh").path

        try await testGracefulShutdown { trigger in
            let services = try await DevStack.prepare(&configuration, postgresScript: script, logger: logger)
            let database = try #require(configuration.database)
            #expect(services.count == 1)
            #expect(database.host == "127.0.0.1")

            let answer = try await withPostgresClient(database, logger: logger) { client in
                var values: [Int] = []
                for try await value in try await client.query("SELECT 41 + 1").decode(Int.self) { values.append(value) }
                return values
            }
            #expect(answer == [42])

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services[0].run() }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
            // The cluster is gone: nothing accepts connections on its port any more.
            await #expect(throws: (any Error).self) {
                try await withPostgresClient(database, logger: logger) { client in
                    try await withTimeout(.seconds(3)) { try await client.query("SELECT 1") }
                }
            }
        }
        withExtendedLifetime(external) {}
    }
}

@Suite(.timeLimit(.minutes(5))) struct DevSeedReadinessTests {
    @Test func devIsReadyOnlyOnceTheSeededSykmeldingerAreIngested() async throws {
        try await TestServices.withFreshDatabase { _, postgres in
            try await MigrationRunner(migrations: try Migration.load(from: TestServices.migrationsDirectory), logger: TestServices.logger)
                .migrate(on: postgres)
            let check = try #require(DevStack.seedIngestedCheck["sykmelding-seed"])
            #expect(try await check(postgres) == "0 of 7 seeded sykmelding periods ingested")
            // What the ingest stores from the seed: the seven people whose sykmelding is still active
            // (the message sent to no employer is skipped).
            let store = SykmeldingPeriods(postgres: postgres, logger: TestServices.logger)
            for message in LocalSykmeldingSeed.messages() {
                guard case .sykmelding(let sykmelding) = try SendtSykmeldingMessage.decode(key: Array(message.key.utf8), value: message.value) else {
                    continue
                }
                try await store.replace(sykmelding)
            }
            #expect(try await check(postgres) == nil)
        }
    }
}
