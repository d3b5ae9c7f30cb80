import Foundation
import PostgresNIO
import Storage
import TestSupport
import Testing

@testable import LegacyImport

/// The import run again, as operators will: after a crash, after the old service changed a
/// row, against a database that holds plans of its own, as a dry run, against the wrong database.
@Suite(.timeLimit(.minutes(5))) struct LegacyImportRerunTests {
    /// A migrated database of this service and an old one with `plans` API plans.
    static func withDatabases(
        plans: Int,
        _ body:
            @escaping @Sendable (
                _ ours: DatabaseConfiguration, _ oursClient: PostgresClient, _ old: DatabaseConfiguration,
                _ oldClient: PostgresClient, _ uuids: [UUID]
            ) async throws -> Void
    ) async throws {
        try await TestServices.withFreshDatabase { ours, oursClient in
            try await MigrationRunner(migrations: try Migration.load(from: TestServices.migrationsDirectory), logger: TestServices.logger)
                .migrate(on: oursClient)
            try await LegacyDatabase.withDatabase { old, oldClient in
                var uuids: [UUID] = []
                for index in 0..<plans {
                    let row = LegacyDatabase.ApiRow(pdf: LegacyDatabase.pdf("plan-\(index)", size: 20_000))
                    try await LegacyDatabase.insert(row, into: oldClient)
                    uuids.append(row.uuid)
                }
                try await body(ours, oursClient, old, oldClient, uuids)
            }
        }
    }

    static func count(_ sql: String, _ postgres: PostgresClient) async throws -> Int {
        for try await count in try await postgres.query(PostgresQuery(unsafeSQL: sql), logger: TestServices.logger).decode(Int.self) {
            return count
        }
        return -1
    }

    /// The connection to this service's database is lost just after a batch committed (the
    /// import never hears of that commit): the run stops; the next run finds what was committed,
    /// moves only the rest, and the verification finds every row once.
    @Test func anImportCutOffMidwayIsResumedByRunningItAgain() async throws {
        try await Self.withDatabases(plans: 150) { ours, oursClient, old, _, _ in
            let proxy = try CuttingProxy(to: ours.host, port: ours.port)
            defer { proxy.close() }
            var viaProxy = ours
            viaProxy.host = "127.0.0.1"
            viaProxy.port = proxy.port
            await #expect(throws: (any Error).self) {
                // After the first page's progress line, the next COMMIT is lost on its way back.
                _ = try await LegacyDatabase.runImport(from: old, to: viaProxy, batchSize: 25) { line in
                    if line.contains("written 25 ") { proxy.cutAfterCommit(ofStatementContaining: "COMMIT") }
                }
            }
            #expect(proxy.cutCount == 1)
            let committed = try await Self.count("SELECT count(*)::int8 FROM legacy_import", oursClient)
            #expect(committed == 50, "the first page, and the second, committed before the connection was lost")

            let resumed = try await LegacyDatabase.runImport(from: old, to: ours, batchSize: 25)
            #expect(resumed.exitStatus == 0, "\(resumed.text)")
            #expect(resumed.tables[0].unchanged == 50 && resumed.tables[0].written == 100 && resumed.tables[0].verified == 150)
            #expect(try await Self.count("SELECT count(*)::int8 FROM followup_plan", oursClient) == 150)
            #expect(try await Self.count("SELECT count(*)::int8 FROM plan_pdf", oursClient) == 150)
        }
    }

    /// Plans keep arriving while the import runs: each is stored, none is taken for a collision,
    /// and the import completes around them (its transactions are short, its rows its own).
    @Test func plansArrivingDuringTheImportAreNotDisturbed() async throws {
        try await Self.withDatabases(plans: 200) { ours, oursClient, old, _, _ in
            let report = try await withThrowingTaskGroup(of: LegacyImportReport?.self) { group in
                group.addTask { try await LegacyDatabase.runImport(from: old, to: ours, batchSize: 10) }
                group.addTask {
                    for _ in 0..<40 {
                        let uuid = UUID().uuidString.lowercased()
                        try await PlanRows.insert(oursClient, ["uuid": "'\(uuid)'"])
                        try await oursClient.query(
                            PostgresQuery(
                                unsafeSQL: "INSERT INTO plan_status (plan_uuid, nav_state, gp_state) VALUES ('\(uuid)', 'PENDING', 'NOT_REQUESTED')"),
                            logger: TestServices.logger)
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    return nil
                }
                var report: LegacyImportReport?
                for try await result in group { report = report ?? result }
                return report
            }
            #expect(report?.exitStatus == 0 && report?.tables[0].written == 200 && report?.tables[0].verified == 200)
            #expect(try await Self.count("SELECT count(*)::int8 FROM followup_plan", oursClient) == 240)
            #expect(try await Self.count("SELECT count(*)::int8 FROM plan_status WHERE state = 'RECEIVED'", oursClient) == 40)
        }
    }

    /// A rehearsal import while the old service still runs, then the final one: a row the old
    /// service changed since (a GP delivery recorded) is replaced; the rest is left alone.
    @Test func aRowChangedInTheOldServiceIsReplacedOnTheNextRun() async throws {
        try await Self.withDatabases(plans: 3) { ours, oursClient, old, oldClient, uuids in
            #expect(try await LegacyDatabase.runImport(from: old, to: ours).written == 3)
            try await oldClient.query(
                """
                UPDATE follow_up_plan_lps_v1 SET send_plan_to_general_practitioner = true,
                    sent_to_general_practitioner_at = '2025-11-03 09:20:00', last_updated_at = '2025-11-03 09:20:00'
                WHERE uuid = \(uuids[1])
                """, logger: TestServices.logger)
            let final = try await LegacyDatabase.runImport(from: old, to: ours)
            #expect(final.exitStatus == 0, "\(final.text)")
            #expect(final.tables[0].written == 1 && final.tables[0].replaced == 1 && final.tables[0].unchanged == 2)
            #expect(final.tables[0].verified == 3)
            let rows = try await oursClient.query(
                "SELECT gp_state, gp_updated_at = '2025-11-03 09:20:00 Europe/Oslo'::timestamptz FROM plan_status WHERE plan_uuid = \(uuids[1])",
                logger: TestServices.logger)
            for try await (state, atThatTime) in rows.decode((String, Bool).self) {
                #expect(state == "SENT" && atThatTime)
            }
        }
    }

    /// A uuid of the source that is already a plan here, one the import did not bring, is
    /// refused loudly (exit status 2) and that plan is not touched.
    @Test func aUuidTakenByAPlanOfThisServiceIsRefusedAndLeftAlone() async throws {
        try await Self.withDatabases(plans: 2) { ours, oursClient, old, _, uuids in
            try await PlanRows.insert(oursClient, ["uuid": "'\(uuids[0].uuidString.lowercased())'", "typical_workday": "'live plan'"])
            let report = try await LegacyDatabase.runImport(from: old, to: ours)
            #expect(report.exitStatus == 2)
            #expect(report.tables[0].collisions.map(\.uuid) == [uuids[0]] && report.tables[0].written == 1)
            #expect(report.text.contains("COLLISION \(uuids[0].uuidString.lowercased())"))
            #expect(report.text.contains("is --from the right database?"))
            #expect(
                try await Self.count(
                    "SELECT count(*)::int8 FROM followup_plan WHERE typical_workday = 'live plan' AND uuid = '\(uuids[0].uuidString.lowercased())'",
                    oursClient) == 1)
            #expect(
                try await Self.count("SELECT count(*)::int8 FROM legacy_import WHERE plan_uuid = '\(uuids[0].uuidString.lowercased())'", oursClient)
                    == 0)
        }
    }

    /// At the switch, the plans of the last days first (those an LPS may still ask about), in
    /// seconds; then the rest, which finds those already here.
    @Test func theRecentPlansFirstThenTheRest() async throws {
        try await Self.withDatabases(plans: 2) { ours, _, old, oldClient, _ in
            for _ in 0..<3 {
                try await LegacyDatabase.insert(
                    LegacyDatabase.ApiRow(pdf: LegacyDatabase.pdf("old"), createdAt: "'2024-01-05 10:00:00'"), into: oldClient)
            }
            let recent = try await LegacyDatabase.runImport(from: old, to: ours, createdSince: "2025-11-01")
            #expect(recent.exitStatus == 0 && recent.tables[0].sourceRows == 2 && recent.tables[0].written == 2)
            #expect(recent.tables[0].verified == 2 && recent.text.contains("since 2025-11-01"))
            let rest = try await LegacyDatabase.runImport(from: old, to: ours)
            #expect(rest.tables[0].written == 3 && rest.tables[0].unchanged == 2 && rest.tables[0].verified == 5)
        }
    }

    /// Two imports at once would take each other's fresh rows for collisions: the second waits a
    /// few seconds for the lock (a run that just ended frees it), then refuses to start.
    @Test func aSecondImportAtTheSameTimeIsRefused() async throws {
        try await Self.withDatabases(plans: 1) { ours, oursClient, old, _, _ in
            try await oursClient.withConnection { holder in
                try await holder.query("SELECT pg_advisory_lock(\(LegacyTarget.advisoryLockKey))", logger: TestServices.logger)
                let error = await #expect(throws: LegacyImportError.self) { _ = try await LegacyDatabase.runImport(from: old, to: ours) }
                #expect(error?.description.contains("Another import-legacy is running") == true)
                try await holder.query("SELECT pg_advisory_unlock(\(LegacyTarget.advisoryLockKey))", logger: TestServices.logger)
            }
            #expect(try await LegacyDatabase.runImport(from: old, to: ours).exitStatus == 0)
        }
    }

    @Test func aDryRunReportsWhatItWouldWriteAndWritesNothing() async throws {
        try await Self.withDatabases(plans: 5) { ours, oursClient, old, _, _ in
            let report = try await LegacyDatabase.runImport(from: old, to: ours, dryRun: true)
            #expect(report.exitStatus == 0 && report.dryRun)
            #expect(report.tables[0].written == 5 && report.tables[0].verified == 0)
            #expect(report.text.hasPrefix("Dry run: nothing was written."))
            #expect(try await Self.count("SELECT (SELECT count(*) FROM followup_plan) + (SELECT count(*) FROM legacy_import)", oursClient) == 0)
        }
    }

    /// `--from` naming this service's own database, or an old one with a column this import
    /// does not know (an upstream V16), is refused before anything is read or written.
    @Test func aSourceThatIsNotTheOldServicesFinalSchemaIsRefused() async throws {
        try await Self.withDatabases(plans: 1) { ours, oursClient, old, oldClient, _ in
            await #expect(throws: LegacyImportError.self) { _ = try await LegacyDatabase.runImport(from: ours, to: ours) }
            try await oldClient.query("ALTER TABLE altinn_lps ADD COLUMN v16_flag boolean", logger: TestServices.logger)
            let error = await #expect(throws: LegacyImportError.self) { _ = try await LegacyDatabase.runImport(from: old, to: ours) }
            #expect(error?.description.contains("v16_flag") == true)
            #expect(try await Self.count("SELECT count(*)::int8 FROM legacy_import", oursClient) == 0)
        }
    }

    /// The production binary as an operator runs it: the report on stdout and the exit status
    /// that says what to do next (0 complete, 2 a collision), the source from the environment.
    @Test func theCommandReportsAndExitsAsTheRunbookSays() async throws {
        try await Self.withDatabases(plans: 2) { ours, oursClient, old, oldClient, uuids in
            try await LegacyDatabase.insert(LegacyDatabase.ApiRow(person: "123"), into: oldClient)
            let environment = [
                "DATABASE_URL": MottakCommandTests.url(ours), "LEGACY_DATABASE_URL": MottakCommandTests.url(old), "LOG_LEVEL": "error",
            ]
            let first = try await MottakCommandTests.mottak(["import-legacy", "--batch-size", "1"], environment: environment)
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output.contains("[FOLLOW_UP_PLAN_LPS_V1] 3/3 rows (100%) · written 2"))
            #expect(first.output.contains("Invalid employee identification number"))
            #expect(first.output.contains("Complete: every row of the source is here, or refused for the reason listed."))

            try await oursClient.query("DELETE FROM legacy_import WHERE plan_uuid = \(uuids[0])", logger: TestServices.logger)
            let second = try await MottakCommandTests.mottak(["import-legacy"], environment: environment)
            #expect(second.status == 2, "\(second.output)")
            #expect(second.output.contains("COLLISION \(uuids[0].uuidString.lowercased())"))

            let nowhere = try await MottakCommandTests.mottak(["import-legacy"], environment: ["DATABASE_URL": MottakCommandTests.url(ours)])
            #expect(nowhere.status != 0 && nowhere.output.contains("LEGACY_DATABASE_URL"))
        }
    }

    /// The source connection is read-only at the server: whatever SQL the import sent, the old
    /// database could not change.
    @Test func theOldDatabaseIsOnlyRead() async throws {
        try await Self.withDatabases(plans: 1) { _, _, old, _, _ in
            let source = try await LegacySource.connect(try old.connectionConfiguration(), logger: TestServices.logger)
            let error = await #expect(throws: PSQLError.self) {
                try await source.connection.query("DELETE FROM follow_up_plan_lps_v1", logger: TestServices.logger)
            }
            await source.close()
            #expect(error?.serverInfo?[.sqlState] == "25006", "read_only_sql_transaction")
        }
    }
}
