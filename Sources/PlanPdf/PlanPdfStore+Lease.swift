import Foundation
import PostgresNIO

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
    public func pdfBuiltOnce(
        _ uuid: UUID, lease: Duration = .seconds(10), pollInterval: Duration = .milliseconds(100),
        build: @Sendable () async throws -> [UInt8]
    ) async throws -> [UInt8] {
        let holder = UUID()
        while true {
            if let pdf = try await pdf(uuid) { return pdf }
            if try await takePDFLease(uuid, holder: holder, for: lease) {
                do {
                    let stored = try await whileRenewing(uuid, holder: holder, lease: lease) {
                        if let pdf = try await pdf(uuid) { return pdf }
                        return try await storePDF(try await build(), for: uuid)
                    }
                    try await releasePDFLease(uuid, holder: holder)
                    return stored
                } catch {
                    try? await releasePDFLease(uuid, holder: holder)
                    throw error
                }
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Takes the lease when nobody holds it or the holder's has expired.
    func takePDFLease(_ uuid: UUID, holder: UUID, for lease: Duration) async throws -> Bool {
        let milliseconds = Int(lease / .milliseconds(1))
        let rows = try await postgres.query(
            """
            INSERT INTO plan_pdf_lease (plan_uuid, holder, expires_at)
            VALUES (\(uuid), \(holder), now() + make_interval(secs => \(milliseconds) / 1000.0))
            ON CONFLICT (plan_uuid) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
            WHERE plan_pdf_lease.expires_at < now()
            RETURNING holder
            """, logger: logger)
        for try await _ in rows { return true }
        return false
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
            WHERE plan_uuid = \(uuid) AND holder = \(holder)
            """, logger: logger)
    }

    func releasePDFLease(_ uuid: UUID, holder: UUID) async throws {
        try await postgres.query("DELETE FROM plan_pdf_lease WHERE plan_uuid = \(uuid) AND holder = \(holder)", logger: logger)
    }
}
