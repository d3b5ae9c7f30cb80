import ApiSupport
import Domain
import Foundation
import PlanStatusRecords

/// Waits, bounded, for a stored plan's final status, so that the intake can answer as the
/// public contract does (200, or the lookup's 403/404) instead of only "received".
///
/// Woken by the process's ``PlanStatusListener``; a waiting request holds no database
/// connection, and reads the status row only when it may have changed.
public struct PlanOutcomeWaiter: Sendable {
    let listener: PlanStatusListener
    let reader: PlanStatusReader
    /// The longest a submission waits (`SUBMISSION_WAIT_MS`); then it answers 202.
    public let bound: Duration

    public init(listener: PlanStatusListener, reader: PlanStatusReader, bound: Duration = .seconds(10)) {
        self.listener = listener
        self.reader = reader
        self.bound = bound
    }

    /// The plan's status once it is final, or nil when `limit` passed first. A status that
    /// cannot be read (PostgreSQL away) counts as not final: the plan is stored either way.
    func finalStatus(of uuid: UUID, within limit: Duration) async -> PlanStatusRecord? {
        let deadline = ContinuousClock.now + limit
        return await listener.watching(uuid) { watch in
            while true {
                if let record = await finalRecord(uuid, readingUntil: deadline) { return record }
                guard await watch.change(before: deadline) else { break }
            }
            // A last look at the deadline, in case a notification was lost on the way.
            return await finalRecord(uuid, readingUntil: deadline + .milliseconds(500))
        }
    }

    /// The status row when it is final. A read is bounded too: PostgreSQL that does not answer
    /// must not hold the caller past the bound (postgres-nio would queue it for up to a minute).
    private func finalRecord(_ uuid: UUID, readingUntil deadline: ContinuousClock.Instant) async -> PlanStatusRecord? {
        let remaining = max(deadline - .now, .milliseconds(100))
        guard let record = try? await withTimeout(remaining, operation: { [reader] in try await reader.read(uuid) }), record.state.isFinal else {
            return nil
        }
        return record
    }
}
