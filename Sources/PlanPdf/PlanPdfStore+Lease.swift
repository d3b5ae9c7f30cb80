import Foundation
import PostgresNIO
import Storage

extension PlanPdfStore {
    /// Plan `uuid`'s PDF: the stored one, or one `build` makes now and stores. Of callers that
    /// get here at once (the NAV and GP channels of one plan), one builds while the others wait
    /// and find its PDF, through a lease row (`plan_pdf_lease`): no database connection is held
    /// while `build` calls PDL, KRR and pdfgen, so many plans in flight do not starve the pool.
    ///
    /// A builder renews its lease every third of `lease` while it works, so a lease outlives
    /// its builder by at most `lease`: a pod killed while building (the fault suite's SIGKILL of
    /// the NAV channel) holds the plan's other channel up for seconds, not for the longest build
    /// (KRR, PDL and pdfgen may take 40 s between them; a fixed 60 s lease stalled the GP
    /// channel that long). Should two builders still race (a renewal lost to a database
    /// outage), ``storePDF(_:for:)`` keeps the first document stored, so every channel still
    /// sends the same one.
    ///
    /// Each turn of the loop is one statement (the PDF if it is there, else the lease if it is
    /// free), and the build ends with one more (the PDF stored, the lease marked built). A waiter
    /// looks again after `pollInterval`, doubling up to a second: a build takes a few calls to
    /// NAV, so looking every 100 ms for as long read the row a dozen times at 200 ms latencies.
    public func pdfBuiltOnce(
        _ uuid: UUID, lease: Duration = .seconds(10), pollInterval: Duration = .milliseconds(100),
        build: @Sendable () async throws -> [UInt8]
    ) async throws -> [UInt8] {
        let holder = UUID()
        var pause = pollInterval
        while true {
            switch try await pdfOrLease(uuid, holder: holder, for: lease) {
            case .stored(let pdf): return pdf
            case .leased:
                do {
                    return try await whileRenewing(uuid, holder: holder, lease: lease) {
                        try await storePDF(try await build(), for: uuid, releasing: holder)
                    }
                } catch {
                    try? await releasePDFLease(uuid, holder: holder)
                    throw error
                }
            case .leasedByAnother:
                try await Task.sleep(for: pause)
                pause = min(pause * 2, max(pollInterval, .seconds(1)))
            }
        }
    }

    enum PdfOrLease {
        case stored([UInt8])
        case leased
        case leasedByAnother
    }

    /// The stored PDF; else the lease, taken when nobody holds it or the holder's has expired.
    func pdfOrLease(_ uuid: UUID, holder: UUID, for lease: Duration) async throws -> PdfOrLease {
        let milliseconds = Int(lease / .milliseconds(1))
        let rows = try await postgres.prepared(
            """
            WITH existing AS (
                SELECT pdf FROM plan_pdf WHERE plan_uuid = \(uuid)
            ), leased AS (
                INSERT INTO plan_pdf_lease (plan_uuid, holder, expires_at)
                SELECT \(uuid), \(holder), now() + make_interval(secs => \(milliseconds) / 1000.0) WHERE NOT EXISTS (SELECT 1 FROM existing)
                ON CONFLICT (plan_uuid) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                WHERE plan_pdf_lease.expires_at < now()
                RETURNING holder
            )
            SELECT (SELECT pdf FROM existing), EXISTS (SELECT 1 FROM leased)
            """, logger: logger)
        for row in rows {
            let (pdf, leased) = try row.decode((ByteBuffer?, Bool).self)
            if let pdf { return .stored(Array(buffer: pdf)) }
            return leased ? .leased : .leasedByAnother
        }
        return .leasedByAnother
    }

    /// Runs `work`, renewing the lease every third of `lease` until it ends. A renewal that
    /// fails (PostgreSQL away) is tried again at the next tick; the work goes on regardless.
    private func whileRenewing<T: Sendable>(
        _ uuid: UUID, holder: UUID, lease: Duration, _ work: @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: lease / 3)
                    if Task.isCancelled { break }
                    try? await renewPDFLease(uuid, holder: holder, for: lease)
                }
                return nil
            }
            let result = try await work()
            group.cancelAll()
            return result
        }
    }

    func renewPDFLease(_ uuid: UUID, holder: UUID, for lease: Duration) async throws {
        let milliseconds = Int(lease / .milliseconds(1))
        try await postgres.query(
            """
            UPDATE plan_pdf_lease SET expires_at = now() + make_interval(secs => \(milliseconds) / 1000.0)
            WHERE plan_uuid = \(uuid) AND holder = \(holder) AND expires_at <> 'infinity'
            """, logger: logger)
    }

    func releasePDFLease(_ uuid: UUID, holder: UUID) async throws {
        try await postgres.query(
            "DELETE FROM plan_pdf_lease WHERE plan_uuid = \(uuid) AND holder = \(holder) AND expires_at <> 'infinity'", logger: logger)
    }
}
