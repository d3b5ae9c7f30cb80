import Domain
import PlanStatusRecords
import Storage
import Synchronization

/// Applies the status events in hand together: one transaction, one commit, for as many as
/// arrived while the previous batch was being written (group commit). The status updater
/// handles up to `CONSUMER_MAX_IN_FLIGHT` events at once, one per plan, so a batch never holds
/// two events of one plan and each plan's order is the consumer's. Without batching, every
/// status event (about four per plan) is a transaction of its own and a commit to wait for.
///
/// No task of its own: the first caller to find no batch being written leads, writing batches
/// (its own event first) until nobody waits; the others wait for their result. A batch that
/// fails is applied again one event per transaction, so one bad event fails only itself.
public final class StatusChangeBatcher: Sendable {
    private enum Outcome: Sendable {
        case applied(StatusTransitions.Change?)
        case lead
    }

    private struct Waiting: Sendable {
        var event: StatusStepEvent
        var continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var writing = false
    }

    private let store: StatusTransitions
    private let maximumBatch: Int
    private let state = Mutex(State())
    /// Transactions written, for tests.
    let transactions = Atomic<Int>(0)

    public init(store: StatusTransitions, maximumBatch: Int = 100) {
        precondition(maximumBatch >= 1)
        self.store = store
        self.maximumBatch = maximumBatch
    }

    /// Applies `event` in the next batch; the row's new state when it changed.
    public func apply(_ event: StatusStepEvent) async throws -> StatusTransitions.Change? {
        let leads = state.withLock { state in
            if state.writing { return false }
            state.writing = true
            return true
        }
        if !leads {
            let outcome = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                let leadNow = state.withLock { state in
                    if state.writing {
                        state.waiting.append(Waiting(event: event, continuation: continuation))
                        return false
                    }
                    state.writing = true
                    return true
                }
                if leadNow { continuation.resume(returning: .lead) }
            }
            if case .applied(let change) = outcome { return change }
        }
        return try await lead(with: event)
    }

    /// Writes batches until nobody waits; `own` goes first.
    private func lead(with own: StatusStepEvent) async throws -> StatusTransitions.Change? {
        var ownResult: Result<StatusTransitions.Change?, any Error>?
        while true {
            let takesOwn = ownResult == nil
            let batch = state.withLock { state -> [Waiting] in
                let batch = Array(state.waiting.prefix(maximumBatch - (takesOwn ? 1 : 0)))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty && !takesOwn { state.writing = false }
                return batch
            }
            if batch.isEmpty && !takesOwn { break }
            var results = await write((takesOwn ? [own] : []) + batch.map(\.event))
            if takesOwn { ownResult = results.removeFirst() }
            for (waiting, result) in zip(batch, results) { waiting.continuation.resume(with: result.map(Outcome.applied)) }
        }
        return try ownResult!.get()
    }

    private func write(_ events: [StatusStepEvent]) async -> [Result<StatusTransitions.Change?, any Error>] {
        if events.count > 1 {
            transactions.add(1, ordering: .relaxed)
            if let changes = try? await store.applyChanges(events) { return changes.map { .success($0) } }
        }
        var results: [Result<StatusTransitions.Change?, any Error>] = []
        for event in events {
            transactions.add(1, ordering: .relaxed)
            do { results.append(.success(try await store.applyChange(event))) } catch { results.append(.failure(error)) }
        }
        return results
    }
}
