import CRdKafka
import Foundation
import Synchronization

/// The one thread that serves a producer's librdkafka event queue (delivery reports, errors).
///
/// It blocks inside `rd_kafka_queue_poll` (no busy waiting) and is woken at once by
/// `rd_kafka_queue_yield` when asked to stop. It never runs Swift async code: it only resumes
/// continuations, so the cooperative pool never waits on librdkafka. `handle` owns each event
/// and must destroy it (`rd_kafka_event_destroy`).
final class PollThread: @unchecked Sendable {
    // @unchecked: `queue` is a librdkafka queue handle (thread-safe); the rest is in Mutexes.
    private let queue: OpaquePointer
    private let control = Control()

    /// Shared by the thread and its owner.
    private final class Control: Sendable {
        let stopping = Mutex(false)
        let finished = DispatchSemaphore(value: 0)
    }

    init(queue: OpaquePointer, name: String, handle: @escaping @Sendable (OpaquePointer) -> Void) {
        self.queue = queue
        let polled = QueuePointer(pointer: queue)
        let thread = Thread { [polled, control] in
            while !control.stopping.withLock({ $0 }) {
                if let event = rd_kafka_queue_poll(polled.pointer, 1000) {
                    handle(event)
                }
            }
            control.finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Stops the thread, waits (blocking, briefly: the poll is woken at once) until it has, and
    /// releases the queue handle. Idempotent. librdkafka requires this before its client is
    /// destroyed.
    func stop() {
        let alreadyStopping = control.stopping.withLock { value in
            defer { value = true }
            return value
        }
        guard !alreadyStopping else { return }
        rd_kafka_queue_yield(queue)
        control.finished.wait()
        rd_kafka_queue_destroy(queue)
    }

    deinit {
        stop()
    }
}

/// A librdkafka queue handle, which librdkafka allows any thread to use.
private struct QueuePointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
