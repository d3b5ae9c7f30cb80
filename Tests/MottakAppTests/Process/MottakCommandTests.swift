import Foundation
import Kafka
import KafkaMock
import LocalStandIns
import Maskinporten
import MottakApp
import MottakDev
import Storage
import Synchronization
import TestSupport
import Testing
import TokenVerification

/// The `mottak` executable as an operator runs it: exit codes and what it prints.
@Suite(.timeLimit(.minutes(5))) struct MottakCommandTests {
    @Test func migrateAppliesOnceThenSaysTheDatabaseIsCurrent() async throws {
        try await TestServices.withFreshDatabase { database, _ in
            let environment = ["DATABASE_URL": Self.url(database), "MIGRATIONS_DIR": TestServices.migrationsDirectory.path]
            let first = try await Self.mottak(["migrate"], environment: environment)
            #expect(first.status == 0)
            #expect(
                first.output.contains(
                    "Applied 10 migration(s): 0001_initial_schema, 0002_plan_pdf, 0003_plan_pdf_lease, 0004_parked_message, 0005_plan_waiting, 0006_outbox_hold, 0007_idempotency_scope, 0008_legacy_plans, 0009_analytics_views, 0010_step_records_without_foreign_keys."
                ))

            let second = try await Self.mottak(["migrate"], environment: environment)
            #expect(second.status == 0)
            #expect(second.output.contains("The database is current: all 10 migrations were already applied."))
        }
    }

    @Test func migrateRefusesAnEditedAppliedMigration() async throws {
        try await TestServices.withFreshDatabase { database, _ in
            let edited = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
            try FileManager.default.createDirectory(at: edited, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: edited) }
            let original = try String(contentsOf: TestServices.migrationsDirectory.appendingPathComponent("0001_initial_schema.sql"), encoding: .utf8)
            try (original + "\n-- an innocent-looking edit\n").write(
                to: edited.appendingPathComponent("0001_initial_schema.sql"), atomically: true, encoding: .utf8)

            let url = Self.url(database)
            #expect(
                try await Self.mottak(["migrate"], environment: ["DATABASE_URL": url, "MIGRATIONS_DIR": TestServices.migrationsDirectory.path]).status
                    == 0)
            let refused = try await Self.mottak(["migrate"], environment: ["DATABASE_URL": url, "MIGRATIONS_DIR": edited.path])
            #expect(refused.status != 0)
            #expect(refused.output.contains("migration 1 (initial_schema) was edited after it was applied"))
        }
    }

    @Test(arguments: [
        (["serve"], ["APPLICATION_PORT": "x"], "APPLICATION_PORT is 'x'"),
        (["serve", "--role", "lookup"], ["DATABASE_URL": "postgres://u:p@127.0.0.1:1/db"], "KAFKA_BROKERS is not set"),
        (["serve", "--role", "lokup"], [:], "'lokup' is not a role"),
        (["migrate"], [:], "DATABASE_URL is not set"),
        (
            ["serve", "--role", "intake"], ["DATABASE_URL": "postgres://u:p@127.0.0.1:1/db", "KAFKA_BROKERS": "127.0.0.1:1"],
            "MASKINPORTEN_WELL_KNOWN_URL is not set"
        ),
    ])
    func stopsAtStartWithAMessageNamingTheSetting(arguments: [String], environment: [String: String], message: String) async throws {
        let result = try await Self.mottak(arguments, environment: environment)
        #expect(result.status != 0)
        #expect(result.output.contains(message))
    }

    @Test func devTokenMintsATokenThatTheDevStackAccepts() async throws {
        let result = try await Self.mottak(["token", "--org", "123456789", "--supplier", "987654321"], environment: [:], binary: "mottak-dev")
        #expect(result.status == 0, "\(result.output)")
        let issuer = try LocalMaskinportenIssuer(keyFile: DevStack.devIssuerKeyFile)
        let verifier = MaskinportenTokenVerifier(issuer: issuer.issuer)
        let token = try verifier.verify(
            result.output.trimmingCharacters(in: .whitespacesAndNewlines), keys: try JSONWebKeySet(json: try issuer.jwksDocument()), now: Date())
        #expect(token.employerOrgNumber == "123456789")
        #expect(token.lpsOrgNumber == "987654321")

        let refused = try await Self.mottak(["token", "--org", "12345"], environment: [:], binary: "mottak-dev")
        #expect(refused.status != 0)
        #expect(refused.output.contains("--org must be a 9-digit organisation number"))
    }

    /// The production binary (the image's) links none of the local stack: no stand-in, no
    /// embedded Kafka cluster, no demo form or token minting, and has no `dev` command.
    @Test func theProductionBinaryHasNoDevCode() async throws {
        let binary = try Self.binary("mottak")
        let contents = try Data(contentsOf: binary)
        for module in ["LocalStandIns", "KafkaMock", "MottakDev", "EmbeddedKafkaCluster", "DevTokenRoute", "DemoRoutes", "LocalNavServer"] {
            #expect(contents.range(of: Data(module.utf8)) == nil, "\(module) is linked into \(binary.lastPathComponent)")
        }
        // The test itself proves the search finds what is there: the dev binary has them.
        let dev = try Data(contentsOf: try Self.binary("mottak-dev"))
        #expect(dev.range(of: Data("LocalStandIns".utf8)) != nil && dev.range(of: Data("KafkaMock".utf8)) != nil)
        let result = try await Self.mottak(["dev"], environment: [:])
        #expect(result.status != 0)
        #expect(result.output.contains("Unexpected argument 'dev'"), "\(result.output)")
    }

    static func url(_ database: DatabaseConfiguration) -> String {
        "postgres://\(database.username):\(database.password ?? "")@\(database.host):\(database.port)/\(database.database)"
    }

    /// A binary built next to this test bundle: SwiftPM puts every product of a build in one folder.
    static func binary(_ name: String) throws -> URL {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let binary = testBinary.deletingLastPathComponent().appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw MissingTestService(description: "no \(name) binary at \(binary.path): build it first (make test does)")
        }
        return binary
    }

    /// Runs `binary` (`mottak` or `mottak-dev`) built next to this test bundle, with only
    /// `environment` (plus PATH).
    static func mottak(_ arguments: [String], environment: [String: String], binary name: String = "mottak") async throws -> (
        status: Int32, output: String
    ) {
        let binary = try binary(name)
        // ChildProcess, not Foundation's Process: see its doc comment (Process.run can crash here).
        let child = try ChildProcess.spawn(
            binary.path, arguments: arguments,
            environment: environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]) { $1 },
            output: .captureMerged)
        let reader = child.output!
        let text = try await TestServices.runBlocking { String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) }
        return (await child.wait(), text)
    }
}

/// A stopping process whose Kafka vanished must still end within its bounds: the drain,
/// `SHUTDOWN_GRACE_SECONDS` and the watchdog's margin (Kubernetes would SIGKILL it anyway, but
/// a process that hangs on its own for minutes is one an operator cannot trust).
@Suite(.timeLimit(.minutes(5))) struct BoundedShutdownTests {
    final class Output: Sendable {
        let text = Mutex("")
        func count(_ needle: String) -> Int { text.withLock { $0.components(separatedBy: needle).count - 1 } }
    }

    @Test func aProcessWhoseKafkaVanishedStillStopsWithinItsGrace() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestServices.logger)
        try cluster.createTopics(TopicPartitions.all)
        try await TestServices.withFreshDatabase { database, _ in
            let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
            let binary = testBinary.deletingLastPathComponent().appendingPathComponent("mottak")
            let child = try ChildProcess.spawn(
                binary.path, arguments: ["serve", "--role", "router,status-updater"],
                environment: [
                    "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin", "DATABASE_URL": MottakCommandTests.url(database),
                    "MIGRATIONS_DIR": TestServices.migrationsDirectory.path, "KAFKA_BROKERS": cluster.bootstrapServers,
                    "APPLICATION_PORT": "0", "SHUTDOWN_DRAIN_MS": "0", "SHUTDOWN_GRACE_SECONDS": "2", "LOG_FORMAT": "text",
                ],
                output: .captureMerged)
            let reader = child.output!
            let output = Output()
            let reading = Task {
                try await TestServices.runBlocking {
                    while true {
                        let chunk = reader.availableData
                        if chunk.isEmpty { return }
                        output.text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
                    }
                }
            }
            try await eventually("both groups' partitions assigned", timeout: .seconds(60)) {
                output.count("partitions assigned") >= 2
            }
            try cluster.setBrokerDown(1)
            kill(child.pid, SIGINT)
            let stopped = ContinuousClock.now
            let status = await child.wait()
            let took = ContinuousClock.now - stopped
            try await reading.value
            #expect(took < .seconds(2 + 5 + 5), "stopped after \(took) with status \(status)\n\(output.text.withLock { $0.suffix(3000) })")
        }
    }
}
