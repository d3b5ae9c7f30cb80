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
}
