import Foundation
import PostgresNIO

extension PlanStore {
    /// Plan `uuid`'s PDF: the stored one, or one `build` makes now and stores. Of callers that
    /// get here at once (the NAV and GP channels of one plan), one builds while the others wait
    /// and find its PDF, through a lease row (`plan_pdf_lease`): no database connection is held
    /// while `build` calls PDL, KRR and pdfgen, so many plans in flight do not starve the pool.
    ///
    /// A lease expires after `lease`, so a builder that died holds nobody up for longer; a
    /// builder still at work past it may race a second one, and ``storePDF(_:for:)`` keeps the
    /// first document stored, so every channel still sends the same one.
    public func pdfBuiltOnce(
        _ uuid: UUID, lease: Duration = .seconds(60), pollInterval: Duration = .milliseconds(100),
        build: @Sendable () async throws -> [UInt8]
    ) async throws -> [UInt8] {
        let holder = UUID()
        while true {
            if let pdf = try await pdf(uuid) { return pdf }
            if try await takePDFLease(uuid, holder: holder, for: lease) {
                do {
                    let stored: [UInt8]
                    if let pdf = try await pdf(uuid) { stored = pdf } else { stored = try await storePDF(try await build(), for: uuid) }
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

    func releasePDFLease(_ uuid: UUID, holder: UUID) async throws {
        try await postgres.query("DELETE FROM plan_pdf_lease WHERE plan_uuid = \(uuid) AND holder = \(holder)", logger: logger)
    }
}
