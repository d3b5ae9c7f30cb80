import Domain
import Foundation
import Intake
import Logging
import PlanStatusRecords
import PostgresNIO
import StatusUpdater
import Storage
import TestSupport
import Testing

/// The intake's one LISTEN connection, against real PostgreSQL: the notification that a plan is
/// final wakes the waiters of that plan only (a step in progress wakes nobody: waiters want the
/// outcome, and each wake costs a read), and a change made while the connection was down is
/// still seen.
@Suite(.timeLimit(.minutes(5))) struct PlanStatusListenerTests {
    @Test func aFinalStatusWakesTheWaitersOfItsPlanOnlyAndAStepInProgressWakesNobody() async throws {
        try await StatusTransitionsTests.withPlan(nav: true, gp: false) { (store, uuid, _, postgres) async throws in
            try await Self.withListener(postgres) { listener in
                let woken = try await listener.watching(uuid) { watch in
                    try await listener.watching(UUID()) { other in
                        try await store.apply(.init(uuid: uuid, kind: .verified))
                        let inProgress = await watch.change(before: .now + .milliseconds(500))
                        let record = try #require(try await store.read(uuid))
                        #expect(record.state == .inProgress && record.nav.state == .pending && record.generalPractitioner.state == .notRequested)
                        try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "1"))
                        let final = await watch.change(before: .now + .seconds(10))
                        let theirs = await other.change(before: .now + .milliseconds(300))
                        return (inProgress, final, theirs)
                    }
                }
                #expect(woken == (false, true, false))
                #expect(listener.waitingCount == 0, "a watch ends with its closure")
                let record = try #require(try await store.read(uuid))
                #expect(record.state == .completed && record.nav.state == .sent)
                #expect(record.employerOrgNumber == "123456789" && record.revision == 2)
            }
        }
    }

    @Test func aChangeMadeWhileTheListenConnectionWasDownIsStillSeen() async throws {
        try await StatusTransitionsTests.withPlan(nav: true, gp: false) { (store, uuid, _, postgres) async throws in
            try await Self.withListener(postgres) { listener in
                try await listener.watching(uuid) { watch in
                    // The LISTEN connection dies (a database restart, a network cut) ...
                    try await postgres.query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'")
                    try await Self.waitUntil { !listener.isListening }
                    // ... and the plan changes before it is back: the NOTIFY reaches nobody.
                    #expect(try await store.apply(.init(uuid: uuid, kind: .verified)))
                    #expect(await watch.change(before: .now + .seconds(20)), "the reconnection wakes every waiter to re-read")
                    #expect(listener.isListening)
                }
                #expect(try await store.read(uuid)?.state == .inProgress)
            }
        }
    }

    /// The listener as the intake makes it: its LISTEN connection of its own, to the test's database.
    static func withListener(_ postgres: PostgresClient, _ body: @escaping @Sendable (PlanStatusListener) async throws -> Void) async throws {
        var database = try TestServices.postgresServer()
        for try await name in try await postgres.query("SELECT current_database()::text").decode(String.self) { database.database = name }
        let listener = PlanStatusListener(
            postgres: postgres, direct: database, reconnectDelay: .milliseconds(500), logger: TestServices.logger)
        // Structured: the listener has given its connection back before the pool shuts down
        // (a connection asked of a pool that is shutting down is never handed out).
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await listener.run() }
            do {
                try await waitUntil { listener.isListening }
                try await body(listener)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    static func waitUntil(timeout: Duration = .seconds(20), _ condition: @Sendable () -> Bool) async throws {
        try await eventually("the listener's state", timeout: timeout, poll: .milliseconds(20), condition)
    }
}
