import AsyncHTTPClient
import EventProcessing
import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import KafkaMock
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Storage
import TestSupport
import Testing

@testable import MottakApp
@testable import MottakDev

/// The probes Kubernetes calls, against a real PostgreSQL database and the embedded Kafka.
@Suite(.timeLimit(.minutes(5))) struct HealthEndpointTests {
    @Test func readyOnceMigratedWithPostgresAndKafkaAnswering() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestServices.logger)
        try await TestServices.withFreshDatabase { database, _ in
            let app = try MottakApplication.build(
                configuration: Self.configuration(database: database, kafka: cluster.bootstrapServers),
                roles: Set(Role.allCases), logger: TestServices.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/internal/is_alive", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "alive")
                }
                // Migrations run as a service beside the HTTP server; wait for them.
                let body = try await Self.waitForReadiness(client, status: .ok)
                #expect(body.status == "UP")
                #expect(body.checks.mapValues(\.status) == ["postgres": "UP", "migrations": "UP", "kafka": "UP"])
            }
        }
        withExtendedLifetime(cluster) {}
    }

    /// SIGTERM reaches the announcer first: readiness says 503 at once, and the rest of the
    /// process keeps serving for the drain period before it shuts down.
    @Test func aStoppingProcessSaysNotReadyAndKeepsServingForTheDrain() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestServices.logger)
        try await TestServices.withFreshDatabase { database, _ in
            let shutdown = ShutdownAnnouncement()
            let app = try MottakApplication.build(
                configuration: Self.configuration(database: database, kafka: cluster.bootstrapServers),
                roles: [.intake], shutdown: shutdown, logger: TestServices.logger)
            try await app.test(.router) { client in
                _ = try await Self.waitForReadiness(client, status: .ok)
                let announcer = ServiceGroup(
                    services: [
                        ShutdownAnnouncer(announcement: shutdown, drain: .milliseconds(500), logger: TestServices.logger)
                    ],
                    logger: TestServices.logger)
                let running = Task { try await announcer.run() }
                let started = ContinuousClock.now
                await announcer.triggerGracefulShutdown()
                try await eventually("the announcement", timeout: .seconds(10)) { shutdown.isAnnounced }
                let body = try await Self.readiness(client, expecting: .serviceUnavailable)
                #expect(body.checks["shutdown"]?.status == "DOWN")
                try await client.execute(uri: "/internal/is_alive", method: .get) { #expect($0.status == .ok, "still serving") }
                try await running.value
                #expect(ContinuousClock.now - started >= .milliseconds(500), "the drain is waited out")
            }
        }
        withExtendedLifetime(cluster) {}
    }

    @Test func notReadyWhileMigrationsArePendingAndSaysWhich() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestServices.logger)
        try await TestServices.withFreshDatabase { database, _ in
            var configuration = Self.configuration(database: database, kafka: cluster.bootstrapServers)
            configuration.migrateOnStart = false
            let app = try MottakApplication.build(configuration: configuration, roles: [.intake, .lookup], logger: TestServices.logger)
            try await app.test(.router) { client in
                // On a busy machine a probe may find a check past its 2 s bound (DOWN for that
                // reason); a later one sees PostgreSQL and Kafka up and names the pending migration.
                var body = try await Self.readiness(client, expecting: .serviceUnavailable)
                try? await eventually("PostgreSQL and Kafka up, the migration pending", timeout: .seconds(30), poll: .milliseconds(200)) {
                    body = try await Self.readiness(client, expecting: .serviceUnavailable)
                    return body.checks["postgres"]?.status == "UP" && body.checks["kafka"]?.status == "UP"
                        && body.checks["migrations"]?.problem?.contains("0001_initial_schema") == true
                }
                #expect(body.checks["postgres"]?.status == "UP")
                #expect(body.checks["kafka"]?.status == "UP")
                #expect(body.checks["migrations"]?.status == "DOWN")
                #expect(body.checks["migrations"]?.problem?.contains("0001_initial_schema") == true)
            }
        }
        withExtendedLifetime(cluster) {}
    }

    @Test func notReadyWhenKafkaOrPostgresDoNotAnswerWithinTheProbeTimeout() async throws {
        // Nothing listens on port 1: both dependencies are down.
        let database = DatabaseConfiguration(host: "127.0.0.1", port: 1, username: "nobody", password: nil, database: "none")
        var configuration = Self.configuration(database: database, kafka: "127.0.0.1:1")
        configuration.migrateOnStart = false
        let app = try MottakApplication.build(configuration: configuration, roles: [.statusQuery, .router], logger: TestServices.logger)
        try await app.test(.router) { client in
            let started = ContinuousClock.now
            let body = try await Self.readiness(client, expecting: .serviceUnavailable)
            // Each check is bounded by the probe's 2 s; unbounded, postgres-nio would queue the
            // query for a minute. 15 s leaves room for a busy machine and still tells the two apart.
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(body.status == "DOWN")
            #expect(body.checks["postgres"]?.status == "DOWN")
            #expect(body.checks["kafka"]?.status == "DOWN")
            try await client.execute(uri: "/internal/is_alive", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func anIntakePodStaysReadyWhileKafkaIsDown() async throws {
        try await TestServices.withFreshDatabase { database, _ in
            // Nothing listens on port 1: Kafka is down. The intake only writes to PostgreSQL.
            let app = try MottakApplication.build(
                configuration: Self.configuration(database: database, kafka: "127.0.0.1:1"), roles: [.intake, .statusQuery],
                logger: TestServices.logger)
            try await app.test(.router) { client in
                let body = try await Self.waitForReadiness(client, status: .ok)
                #expect(body.checks["kafka"] == nil)
                #expect(body.checks["postgres"]?.status == "UP")
            }
        }
    }

    /// With `INTERNAL_PORT` (as on NAIS) the probes and metrics answer there and the API's port,
    /// the one the ingress publishes, knows nothing of them.
    @Test func withAnInternalPortTheProbesAndMetricsAreServedThereOnly() async throws {
        try await TestServices.withFreshDatabase { database, _ in
            var configuration = Self.configuration(database: database, kafka: "127.0.0.1:1")
            configuration.internalPort = 0
            let bound = AsyncStream.makeStream(of: Int.self)
            let app = try MottakApplication.build(
                configuration: configuration, roles: [.intake, .statusQuery], onInternalPortBound: { bound.continuation.yield($0) },
                logger: TestServices.logger)
            try await app.test(.router) { client in
                var ports = bound.stream.makeAsyncIterator()
                let internalPort = try #require(await ports.next())
                for path in ["/internal/is_alive", "/internal/is_ready", "/internal/metrics"] {
                    try await client.execute(uri: path, method: .get) { #expect($0.status == .notFound, "\(path) on the API's port") }
                }
                try await client.execute(uri: "/openapi.yaml", method: .get) { #expect($0.status == .ok, "the API's port still serves") }
                let base = "http://127.0.0.1:\(internalPort)"
                let alive = try await Self.get(base + "/internal/is_alive")
                #expect(alive.status == .ok)
                #expect(alive.body == "alive")
                var ready = try await Self.get(base + "/internal/is_ready")
                try? await eventually("ready on the internal port", timeout: .seconds(20), poll: .milliseconds(200)) {
                    ready = try await Self.get(base + "/internal/is_ready")
                    return ready.status == .ok
                }
                #expect(ready.status == .ok, "\(ready.body)")
                let metrics = try await Self.get(base + "/internal/metrics")
                #expect(metrics.status == .ok)
                #expect(metrics.body.contains("mottak_"), "the process's metrics")
                #expect(try await Self.get(base + "/api/v1/followupplan/verify-integration").status == .notFound, "no API there")
            }
        }
    }

    static func get(_ url: String) async throws -> (status: HTTPResponseStatus, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return (response.status, String(buffer: try await response.body.collect(upTo: 4 << 20)))
    }

    static func configuration(database: DatabaseConfiguration, kafka: String) -> AppConfiguration {
        var configuration = try! AppConfiguration(environment: ["APPLICATION_PORT": "0"], mode: .dev)
        configuration.database = database
        configuration.kafka = KafkaConfiguration(bootstrapServers: kafka)
        configuration.migrationsDirectory = TestServices.migrationsDirectory.path
        // Keys are fetched on the first authenticated request, which these tests never make.
        configuration.maskinporten = MaskinportenConfiguration(wellKnownURL: "http://127.0.0.1:1/not-used")
        // NAV's APIs are called per plan, which these tests never send.
        configuration.navApis = try! AppConfiguration(environment: DevStackTests.navApiEnvironment, mode: .dev).navApis
        // Written to by the case workers' routes only, which these tests never call.
        configuration.auditLogAddress = ("127.0.0.1", 1)
        // Tests of what a spent retry means (FAILED, dead letters, re-drive) meet it at once;
        // the durable wait has tests of its own (OutageRideThroughTests).
        configuration.parkingPolicy = .disabled
        return configuration
    }

    static func readiness(_ client: some TestClientProtocol, expecting status: HTTPResponse.Status) async throws -> ReadinessBody {
        try await client.execute(uri: "/internal/is_ready", method: .get) { response in
            #expect(response.status == status)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            return try JSONDecoder().decode(ReadinessBody.self, from: Data(response.body.readableBytesView))
        }
    }

    static func waitForReadiness(_ client: some TestClientProtocol, status: HTTPResponse.Status) async throws -> ReadinessBody {
        var last: (code: HTTPResponse.Status, body: ReadinessBody)?
        try? await eventually("readiness \(status)", timeout: .seconds(20), poll: .milliseconds(200)) {
            last = try await client.execute(uri: "/internal/is_ready", method: .get) { response in
                (response.status, try JSONDecoder().decode(ReadinessBody.self, from: Data(response.body.readableBytesView)))
            }
            return last?.code == status
        }
        let answer = try #require(last)
        #expect(answer.code == status, "last readiness answer: \(answer.body)")
        return answer.body
    }
}

extension ReadinessBody: Decodable {
    enum CodingKeys: CodingKey { case status, checks }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(status: try container.decode(String.self, forKey: .status), checks: try container.decode([String: Check].self, forKey: .checks))
    }
}
