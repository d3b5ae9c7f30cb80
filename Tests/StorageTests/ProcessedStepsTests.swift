import Foundation
import PostgresNIO
import Storage
import Synchronization
import TestSupport
import Testing

/// A step's side effect happens once per plan: the record of it decides, and a record that
/// could not be written (PostgreSQL gone between the effect and its record) does not make the
/// retry do the effect again.
@Suite(.timeLimit(.minutes(5))) struct ProcessedStepsTests {
    @Test func aRetryAfterARecordThatFailedRecordsTheResultWithoutDoingTheStepAgain() async throws {
        try await TestServices.withMigratedDatabase { client in
            let plan = UUID()
            try await PlanRows.insert(client, ["uuid": "'\(plan)'"])
            // Every insert into processed_step fails while refuse_records has a row: the effect
            // is done, its record is not.
            try await client.query("CREATE TABLE refuse_records (refused boolean)")
            try await client.query(
                """
                CREATE FUNCTION refuse_record() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM refuse_records) THEN RAISE EXCEPTION 'the record is refused'; END IF;
                    RETURN NEW;
                END $$
                """)
            try await client.query("CREATE TRIGGER refuse BEFORE INSERT ON processed_step FOR EACH ROW EXECUTE FUNCTION refuse_record()")
            try await client.query("INSERT INTO refuse_records VALUES (true)")

            let steps = ProcessedSteps(postgres: client, logger: TestServices.logger)
            let effects = Mutex(0)
            @Sendable func sendTask() -> String {
                effects.withLock { $0 += 1 }
                return "task-\(effects.withLock { $0 })"
            }
            await #expect(throws: PSQLError.self) { try await steps.once("modia-task", for: plan) { sendTask() } }
            #expect(effects.withLock { $0 } == 1, "the effect was done before the record failed")
            #expect(try await steps.result(of: "modia-task", for: plan) == nil, "and nothing is recorded")

            try await client.query("DELETE FROM refuse_records")
            // A copy of the value, as a role's next delivery of the message has.
            let retry = steps
            #expect(try await retry.once("modia-task", for: plan) { sendTask() } == "task-1", "the first effect's result")
            #expect(effects.withLock { $0 } == 1, "the retry did not do it again")
            #expect(try await steps.result(of: "modia-task", for: plan) == "\"task-1\"")

            // Recorded: later deliveries read the record, in any process.
            let otherProcess = ProcessedSteps(postgres: client, logger: TestServices.logger)
            #expect(try await otherProcess.once("modia-task", for: plan) { sendTask() } == "task-1")
            #expect(effects.withLock { $0 } == 1)
        }
    }

    @Test func concurrentDeliveriesAgreeOnTheFirstRecordedResult() async throws {
        try await TestServices.withMigratedDatabase { client in
            let plan = UUID()
            try await PlanRows.insert(client, ["uuid": "'\(plan)'"])
            // Two processes (two values with their own memory) that both did the step.
            let results = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<2 {
                    group.addTask {
                        try await ProcessedSteps(postgres: client, logger: TestServices.logger).once("route", for: plan) { "decision-\(index)" }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(results).count == 1, "every delivery goes on with the same result: \(results)")
            #expect(try await ProcessedSteps(postgres: client, logger: TestServices.logger).result(of: "route", for: plan) == "\"\(results[0])\"")
        }
    }

    /// A handler reads the plan's recorded steps with the plan (`RecordedSteps.column`): what it
    /// finds there decides as a read of its own would, and a step done by nobody yet is done once.
    @Test func stepsReadWithThePlanDecideLikeTheirOwnRead() async throws {
        try await TestServices.withMigratedDatabase { client in
            let plan = UUID()
            try await PlanRows.insert(client, ["uuid": "'\(plan)'"])
            let steps = ProcessedSteps(postgres: client, logger: TestServices.logger)
            func readWithPlan() async throws -> RecordedSteps {
                let rows = try await client.query(
                    "SELECT \(unescaped: RecordedSteps.column(plan: "p.uuid")) FROM followup_plan p WHERE uuid = \(plan)", logger: TestServices.logger
                )
                for try await column in rows.decode([String]?.self) { return RecordedSteps(column: column) }
                Issue.record("no plan")
                return .none
            }
            #expect(try await readWithPlan() == .none, "nothing recorded: NULL")

            let effects = Mutex(0)
            let first = try await steps.once("dokarkiv", for: plan, recorded: try await readWithPlan()) {
                effects.withLock { $0 += 1 }
                return ["journalpostId": "453"]
            }
            #expect(first == ["journalpostId": "453"] && effects.withLock { $0 } == 1)

            let recorded = try await readWithPlan()
            #expect(recorded.result(of: "dokarkiv") == #"{"journalpostId": "453"}"#, "the result as jsonb prints it")
            #expect(recorded.result(of: "modia") == nil)
            let again = try await steps.once("dokarkiv", for: plan, as: [String: String].self, recorded: recorded) {
                effects.withLock { $0 += 1 }
                return ["journalpostId": "999"]
            }
            #expect(again == ["journalpostId": "453"] && effects.withLock { $0 } == 1, "read with the plan, not done again")

            // A record made after the read (a concurrent delivery) still wins: the insert finds it.
            let stale = try await readWithPlan()
            _ = try await steps.record("modia", for: plan, result: #"{"offset": 7}"#)
            let late = try await steps.once("modia", for: plan, as: [String: Int].self, recorded: stale) { ["offset": 8] }
            #expect(late == ["offset": 7])
        }
    }

    /// processed_step and plan_pdf_lease have no foreign key (migration 0010: a check per insert
    /// for what every handler already read); a deleted plan still takes its records with it.
    @Test func aDeletedPlanTakesItsStepRecordsAndLeaseWithIt() async throws {
        try await TestServices.withMigratedDatabase { client in
            let (gone, kept) = (UUID(), UUID())
            for plan in [gone, kept] {
                try await PlanRows.insert(client, ["uuid": "'\(plan)'"])
                _ = try await ProcessedSteps(postgres: client, logger: TestServices.logger).record(
                    "lookup", for: plan, result: #"{"verdict": "VERIFIED"}"#)
                try await client.query(
                    "INSERT INTO plan_pdf_lease (plan_uuid, holder, expires_at) VALUES (\(plan), \(UUID()), now() + interval '10 seconds')",
                    logger: TestServices.logger)
            }
            try await client.query("DELETE FROM followup_plan WHERE uuid = \(gone)", logger: TestServices.logger)
            func count(_ table: String, _ plan: UUID) async throws -> Int {
                let rows = try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE plan_uuid = '\(plan)'"), logger: TestServices.logger)
                for try await count in rows.decode(Int.self) { return count }
                return -1
            }
            let (goneSteps, goneLeases) = (try await count("processed_step", gone), try await count("plan_pdf_lease", gone))
            let (keptSteps, keptLeases) = (try await count("processed_step", kept), try await count("plan_pdf_lease", kept))
            #expect(goneSteps == 0 && goneLeases == 0, "gone with the plan")
            #expect(keptSteps == 1 && keptLeases == 1, "another plan's are kept")
            let keys = try await client.query(
                """
                SELECT count(*)::int FROM pg_constraint
                WHERE contype = 'f' AND conrelid IN ('processed_step'::regclass, 'plan_pdf_lease'::regclass)
                """, logger: TestServices.logger)
            for try await count in keys.decode(Int.self) { #expect(count == 0, "no per-insert check") }
        }
    }
}
