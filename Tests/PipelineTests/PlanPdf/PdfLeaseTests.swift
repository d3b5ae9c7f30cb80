import Domain
import Foundation
import PlanPdf
import PostgresNIO
import Storage
import Synchronization
import TestSupport
import Testing

/// The NAV and GP channels of one plan share one PDF, and building it holds no database
/// connection: with dozens of plans in flight, a held connection per PDF would starve the pool.
@Suite(.timeLimit(.minutes(5))) struct PdfLeaseTests {
    static let document = Array("%PDF-1.7 test".utf8)

    @Test func concurrentCallersBuildOnePdfAndHoldNoConnectionWhileBuilding() async throws {
        try await TestServices.withMigratedDatabase { client in
            // Eight callers on a pool of four connections; the build itself needs the pool
            // four times at once. Callers that held a connection while waiting would hang it.
            let (store, uuid, pdfs, builds) = try await Self.concurrentBuilds(8, client) {
                try await withThrowingTaskGroup(of: Void.self) { queries in
                    for _ in 0..<4 { queries.addTask { try await client.query("SELECT pg_sleep(0.1)") } }
                    try await queries.waitForAll()
                }
            }
            #expect(builds == 1, "one build for all callers")
            #expect(pdfs.count == 8 && pdfs.allSatisfy { $0 == Self.document })
            #expect(try await store.pdf(uuid) == Self.document)
            #expect(try await Self.leases(client) == 0, "the lease is over (its row says: built)")
        }
    }

    /// The lease is short (a dead builder holds the plan's other channel up for seconds only)
    /// and renewed while the build goes on: a build longer than the lease is not raced.
    @Test func aBuildLongerThanItsLeaseKeepsItByRenewing() async throws {
        try await TestServices.withMigratedDatabase { client in
            // A lease long enough that a renewal (every third of it) is not late under the whole
            // suite's load on two cores: at 600 ms one was, and at 1.5 s one was again in a fresh
            // clone's run (a second build). At 4 s a renewal must be 2.7 s late to lose it.
            let (_, _, pdfs, builds) = try await Self.concurrentBuilds(2, client, lease: .milliseconds(4_000)) {
                try await Task.sleep(for: .milliseconds(13_000))  // more than three leases
            }
            #expect(builds == 1, "the second caller waited for the renewed lease")
            #expect(pdfs.allSatisfy { $0 == Self.document })
            #expect(try await Self.leases(client) == 0)
        }
    }

    @Test func aFailedBuildReleasesTheLeaseAndAnExpiredOneIsTakenOver() async throws {
        try await TestServices.withMigratedDatabase { client in
            let store = PlanPdfStore(postgres: client, logger: TestServices.logger)
            let failing = UUID()
            try await PlanRows.insert(client, ["uuid": "'\(failing)'"])
            struct PdfgenDown: Error {}
            await #expect(throws: PdfgenDown.self) { try await store.pdfBuiltOnce(failing) { throw PdfgenDown() } }
            #expect(try await Self.leases(client) == 0, "released when the build failed")
            #expect(try await store.pdfBuiltOnce(failing) { Self.document } == Self.document)

            // A holder that died: its lease blocks others only until it expires.
            let orphaned = UUID()
            try await PlanRows.insert(client, ["uuid": "'\(orphaned)'"])
            // Timed from before the lease is written, so a slow machine cannot shorten the wait.
            let started = ContinuousClock.now
            try await client.query(
                "INSERT INTO plan_pdf_lease (plan_uuid, holder, expires_at) VALUES (\(orphaned), \(UUID()), now() + interval '1 second')")
            #expect(try await store.pdfBuiltOnce(orphaned, pollInterval: .milliseconds(50)) { Self.document } == Self.document)
            #expect(ContinuousClock.now - started >= .milliseconds(900), "waited for the dead holder's lease to expire")
        }
    }

    /// `callers` callers of one new plan's PDF at once, each with `work` as its build: the
    /// store, the plan, the PDFs they got and how many builds ran.
    static func concurrentBuilds(
        _ callers: Int, _ client: PostgresClient, lease: Duration = .seconds(10), work: @escaping @Sendable () async throws -> Void
    ) async throws -> (PlanPdfStore, UUID, [[UInt8]], Int) {
        let uuid = UUID()
        try await PlanRows.insert(client, ["uuid": "'\(uuid)'"])
        let store = PlanPdfStore(postgres: client, logger: TestServices.logger)
        let builds = BuildCount()
        let pdfs = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<callers {
                group.addTask {
                    try await store.pdfBuiltOnce(uuid, lease: lease, pollInterval: .milliseconds(20)) {
                        builds.count.withLock { $0 += 1 }
                        try await work()
                        return Self.document
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        return (store, uuid, pdfs, builds.count.withLock { $0 })
    }

    /// Leases held now (a row of a built PDF is held for ever: `infinity`).
    static func leases(_ client: PostgresClient) async throws -> Int {
        let rows = try await client.query("SELECT count(*)::int FROM plan_pdf_lease WHERE expires_at <> 'infinity'")
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }
}

private final class BuildCount: Sendable {
    let count = Mutex(0)
}
