import Synchronization

/// Where the broker stored an acknowledged message.
public struct DeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}

/// A message handed to librdkafka whose acknowledgement is still to come.
///
/// `enqueue` returns it as soon as the message is in librdkafka's queue (so a caller can
/// pipeline many messages and keep their order); ``report()`` waits for the broker's answer.
/// librdkafka reports every message exactly once: delivered, failed after its retries and
/// `message.timeout.ms`, or purged at close.
public final class Delivery: Sendable {
    private enum State {
        case pending([CheckedContinuation<DeliveryReport, any Error>])
        case done(Result<DeliveryReport, KafkaError>)
    }

    private let state = Mutex(State.pending([]))
    /// Kept here so that the poll thread need not copy the name out of librdkafka per message.
    let topic: String

    init(topic: String) {
        self.topic = topic
    }

    /// The broker's acknowledgement, or the `KafkaError` librdkafka reported for the message.
    public func report() async throws -> DeliveryReport {
        // A pipelining caller usually asks after the report arrived: no suspension then.
        if case .done(let result) = state.withLock({ $0 }) { return try result.get() }
        return try await withCheckedThrowingContinuation { continuation in
            let result: Result<DeliveryReport, KafkaError>? = state.withLock { state in
                switch state {
                case .pending(let waiters):
                    state = .pending(waiters + [continuation])
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    /// Called once, from the poll thread, with librdkafka's delivery report.
    func complete(_ result: Result<DeliveryReport, KafkaError>) {
        let waiters = state.withLock { state -> [CheckedContinuation<DeliveryReport, any Error>] in
            guard case .pending(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result.mapError { $0 }) }
    }
}

/// Wakes senders that found librdkafka's local queue full, each time delivery reports free
/// room in it. A generation counter closes the gap between "the queue was full" and "I am
/// waiting": a sender that registers after room was made is woken at once.
final class QueueSpace: Sendable {
    /// Read on every send, so an atomic rather than the lock; changed only under the lock.
    private let currentGeneration = Atomic<UInt64>(0)
    private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    var generation: UInt64 { currentGeneration.load(ordering: .acquiring) }

    /// Returns once room was made after `generation` was read.
    func wait(after generation: UInt64) async {
        await withCheckedContinuation { continuation in
            let wakeNow = waiters.withLock { waiters -> Bool in
                if currentGeneration.load(ordering: .acquiring) != generation { return true }
                waiters.append(continuation)
                return false
            }
            if wakeNow { continuation.resume() }
        }
    }

    func madeRoom() {
        let woken = waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            currentGeneration.add(1, ordering: .releasing)
            defer { waiters = [] }
            return waiters
        }
        for waiter in woken { waiter.resume() }
    }
}
