import Domain
import Foundation
import PlanStatusRecords
import PostgresNIO
import Storage
import Synchronization
import TestSupport
import Testing

@testable import StatusUpdater

/// The status updater writes the events in hand in one transaction: fewer commits for the same
/// changes, and one bad event fails only itself.
@Suite(.timeLimit(.minutes(5))) struct StatusChangeBatcherTests {
    static func storePlans(_ count: Int, _ postgres: PostgresClient) async throws -> [UUID] {
        var uuids: [UUID] = []
        for _ in 0..<count {
            let submission = try await LookupRoleTests.storePlan(employee: "01019012345", postgres)
            uuids.append(submission.uuid)
        }
        return uuids
    }

    static func apply(_ events: [StatusStepEvent], with batcher: StatusChangeBatcher) async -> [UUID: Result<StatusTransitions.Change?, any Error>] {
        await withTaskGroup(of: (UUID, Result<StatusTransitions.Change?, any Error>).self) { group in
            for event in events {
                group.addTask {
                    do { return (event.uuid, .success(try await batcher.apply(event))) } catch { return (event.uuid, .failure(error)) }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }

    @Test func eventsArrivingTogetherShareTransactionsAndEachGetsItsOwnChange() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let uuids = try await Self.storePlans(60, postgres)
            // The first plan's write takes half a second, so the other 59 arrive while it is
            // being written, however slowly this machine starts them.
            try await postgres.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE FUNCTION slow_first() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN IF NEW.plan_uuid = '\(uuids[0])' THEN PERFORM pg_sleep(0.5); END IF; RETURN NEW; END $$
                        """))
            try await postgres.query("CREATE TRIGGER slow BEFORE UPDATE ON plan_status FOR EACH ROW EXECUTE FUNCTION slow_first()")
            let batcher = StatusChangeBatcher(store: StatusTransitions(postgres: postgres, topics: .local, logger: TestServices.logger))
            let first = Task { try await batcher.apply(StatusStepEvent(uuid: uuids[0], kind: .verified)) }
            try await Task.sleep(for: .milliseconds(100))
            var results = await Self.apply(uuids.dropFirst().map { StatusStepEvent(uuid: $0, kind: .verified) }, with: batcher)
            results[uuids[0]] = await first.result
            #expect(results.count == 60)
            #expect(try results.values.allSatisfy { try $0.get()?.state == .inProgress })
            let transactions = batcher.transactions.load(ordering: .relaxed)
            #expect(transactions < 30, "60 changes in \(transactions) transactions")
            let moved = try await postgres.query("SELECT count(*)::int8 FROM plan_status WHERE state = 'IN_PROGRESS' AND revision = 1")
            for try await count in moved.decode(Int.self) { #expect(count == 60) }
            // A replay in a batch changes nothing and says so.
            let replays = await Self.apply(uuids.prefix(5).map { StatusStepEvent(uuid: $0, kind: .verified) }, with: batcher)
            #expect(try replays.values.allSatisfy { try $0.get() == nil })
        }
    }

    @Test func oneEventTheDatabaseRefusesFailsAloneAndTheRestOfItsBatchIsApplied() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let uuids = try await Self.storePlans(20, postgres)
            let refused = uuids[7]
            try await postgres.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN IF NEW.plan_uuid = '\(refused)' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$
                        """))
            try await postgres.query("CREATE TRIGGER refuse BEFORE UPDATE ON plan_status FOR EACH ROW EXECUTE FUNCTION refuse_one()")
            let batcher = StatusChangeBatcher(store: StatusTransitions(postgres: postgres, topics: .local, logger: TestServices.logger))
            let results = await Self.apply(uuids.map { StatusStepEvent(uuid: $0, kind: .verified) }, with: batcher)
            #expect(throws: PSQLError.self) { try results[refused]!.get() }
            #expect(try results.filter { $0.key != refused }.values.allSatisfy { try $0.get()?.state == .inProgress })
            let moved = try await postgres.query("SELECT count(*)::int8 FROM plan_status WHERE state = 'IN_PROGRESS'")
            for try await count in moved.decode(Int.self) { #expect(count == 19) }
        }
    }
}
