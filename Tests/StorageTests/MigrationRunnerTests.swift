import Foundation
import PostgresNIO
import Storage
import TestSupport
import Testing

/// Against a real PostgreSQL server (make test starts a throwaway one); each test has its own database.
@Suite(.timeLimit(.minutes(5))) struct MigrationRunnerTests {
    let logger = TestServices.logger

    @Test func appliesTheProjectsMigrationsOnceAndIsANoOpTheSecondTime() async throws {
        let migrations = try Migration.load(from: TestServices.migrationsDirectory)
        #expect(migrations.first?.version == 1)
        try await TestServices.withFreshDatabase { _, client in
            let runner = MigrationRunner(migrations: migrations, logger: logger)
            let first = try await runner.migrate(on: client)
            #expect(first.map(\.version) == migrations.map(\.version))
            let second = try await runner.migrate(on: client)
            #expect(second.isEmpty)
            #expect(try await runner.pending(on: client).isEmpty)

            let tables = try await strings(
                client,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")
            #expect(
                tables == [
                    "followup_plan", "idempotency_key", "legacy_altinn_plan", "legacy_import", "outbox", "parked_message", "plan_pdf",
                    "plan_pdf_lease", "plan_status", "processed_step", "schema_migrations", "sykmelding_period",
                ])
            #expect(try await strings(client, "SELECT checksum FROM schema_migrations ORDER BY version") == migrations.map(\.checksum))
        }
    }

    @Test func refusesAnAppliedMigrationWhoseFileWasEdited() async throws {
        try await TestServices.withFreshDatabase { _, client in
            let original = Migration(version: 1, name: "create_a", sql: "CREATE TABLE a (x int);")
            try await MigrationRunner(migrations: [original], logger: logger).migrate(on: client)

            let edited = Migration(version: 1, name: "create_a", sql: "CREATE TABLE a (x bigint);")
            let added = Migration(version: 2, name: "create_b", sql: "CREATE TABLE b (y int);")
            let runner = MigrationRunner(migrations: [edited, added], logger: logger)
            await #expect(throws: MigrationError.checksumMismatch(version: 1, name: "create_a", applied: original.checksum, file: edited.checksum)) {
                try await runner.migrate(on: client)
            }
            await #expect(throws: MigrationError.self) { try await runner.pending(on: client) }
            // Nothing after the refusal ran.
            #expect(try await strings(client, "SELECT to_regclass('b')::text").first == nil)
        }
    }

    @Test func aFailingMigrationLeavesNoTraceAndStopsTheRun() async throws {
        try await TestServices.withFreshDatabase { _, client in
            let good = Migration(version: 1, name: "good", sql: "CREATE TABLE good (x int);")
            let bad = Migration(version: 2, name: "bad", sql: "CREATE TABLE half (x int);\nINSERT INTO missing VALUES (1);")
            let later = Migration(version: 3, name: "later", sql: "CREATE TABLE later (x int);")
            let runner = MigrationRunner(migrations: [good, bad, later], logger: logger)
            do {
                try await runner.migrate(on: client)
                Issue.record("the failing migration was accepted")
            } catch let error as MigrationError {
                guard case .statementFailed(2, "bad", 2, let reason) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(reason.contains("missing"))
            }
            #expect(try await strings(client, "SELECT version::text FROM schema_migrations") == ["1"])
            #expect(try await strings(client, "SELECT coalesce(to_regclass('half')::text, 'none')") == ["none"])
            #expect(try await strings(client, "SELECT coalesce(to_regclass('later')::text, 'none')") == ["none"])
        }
    }

    @Test func concurrentRunnersApplyEachMigrationExactlyOnce() async throws {
        try await TestServices.withFreshDatabase { _, client in
            let migrations = try Migration.load(from: TestServices.migrationsDirectory)
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await MigrationRunner(migrations: migrations, logger: logger).migrate(on: client).count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(applied.sorted() == [0, 0, 0, migrations.count])
            #expect(try await strings(client, "SELECT count(*)::text FROM schema_migrations") == ["\(migrations.count)"])
        }
    }

    @Test func refusesAMigrationOlderThanTheNewestApplied() async throws {
        try await TestServices.withFreshDatabase { _, client in
            let second = Migration(version: 2, name: "second", sql: "CREATE TABLE second (x int);")
            try await MigrationRunner(migrations: [second], logger: logger).migrate(on: client)
            let first = Migration(version: 1, name: "first", sql: "CREATE TABLE first (x int);")
            await #expect(throws: MigrationError.outOfOrder(version: 1, name: "first", newestApplied: 2)) {
                try await MigrationRunner(migrations: [first, second], logger: logger).migrate(on: client)
            }
        }
    }

    @Test func loadRefusesFilesItWouldOtherwiseSkip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: MigrationError.noMigrations(path: directory.path)) { try Migration.load(from: directory) }
        try "SELECT 1;".write(to: directory.appendingPathComponent("0001_a.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: directory.appendingPathComponent("1_b.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.duplicateVersion(1, files: ["0001_a.sql", "1_b.sql"])) {
            try Migration.load(from: directory)
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("1_b.sql"))
        try "SELECT 1;".write(to: directory.appendingPathComponent("add_index.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.badFileName("add_index.sql")) { try Migration.load(from: directory) }
    }

    private func strings(_ client: PostgresClient, _ sql: String) async throws -> [String] {
        var values: [String] = []
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String?.self) {
            if let value { values.append(value) }
        }
        return values
    }
}
