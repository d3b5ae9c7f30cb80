import CRdKafka
import Synchronization

/// A message for ``KafkaProducer/send(_:to:)``.
public struct KafkaOutgoingMessage: Sendable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// The delivery reports of one batch: a slot per message in one buffer, so that a message
/// costs no object, lock or lookup of its own. librdkafka's per-message opaque points at the
/// message's slot, tagged in its lowest bit (slots are 8-byte aligned, a single ``Delivery``
/// object's address is 16-byte aligned, so the poll thread can tell the two apart).
final class BatchDelivery: @unchecked Sendable {
    // @unchecked: each slot is written once by the poll thread before `remaining` reaches
    // zero (releasing), and read by the waiting task only after that (acquiring).
    struct Slot {
        var batch: Unmanaged<BatchDelivery>
        var partition: Int32 = -1
        var offset: Int64 = -1
        var error: rd_kafka_resp_err_t = RD_KAFKA_RESP_ERR_NO_ERROR
    }

    let topic: String
    private let slots: UnsafeMutableBufferPointer<Slot>
    private let remaining: Atomic<Int>
    private let waiter = Mutex<(done: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, nil))

    init(topic: String, count: Int) {
        self.topic = topic
        self.slots = .allocate(capacity: count)
        self.remaining = Atomic(count)
        let unretained = Unmanaged.passUnretained(self)
        slots.initialize(repeating: Slot(batch: unretained))
        if count == 0 { waiter.withLock { $0.done = true } }
    }

    deinit {
        slots.deallocate()
    }

    /// The opaque pointer librdkafka carries for message `index`.
    func opaque(for index: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(slots.baseAddress! + index) + 1
    }

    static func isBatchOpaque(_ opaque: UnsafeMutableRawPointer) -> Bool {
        UInt(bitPattern: opaque) & 1 == 1
    }

    /// Called on the poll thread with a message's delivery report.
    static func complete(opaque: UnsafeMutableRawPointer, partition: Int32, offset: Int64, error: rd_kafka_resp_err_t) {
        let slot = (opaque - 1).assumingMemoryBound(to: Slot.self)
        slot.pointee.partition = partition
        slot.pointee.offset = offset
        slot.pointee.error = error
        slot.pointee.batch.takeUnretainedValue().finish(count: 1)
    }

    /// Marks a message librdkafka refused as failed with `error`.
    func fail(at index: Int, with error: rd_kafka_resp_err_t) {
        slots[index].error = error
        finish(count: 1)
    }

    /// Marks the messages from `index` on, which never reached librdkafka, as failed.
    func fail(from index: Int, with error: rd_kafka_resp_err_t) {
        for position in index..<slots.count { slots[position].error = error }
        finish(count: slots.count - index)
    }

    private func finish(count: Int) {
        guard count > 0, remaining.subtract(count, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        let continuation = waiter.withLock { state in
            state.done = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
    }

    /// Waits until every message has its report, then returns them in the batch's order.
    func results() async -> [Result<DeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            let done = waiter.withLock { state in
                if !state.done { state.continuation = continuation }
                return state.done
            }
            if done { continuation.resume() }
        }
        _ = remaining.load(ordering: .acquiring)
        return slots.map { slot in
            slot.error == RD_KAFKA_RESP_ERR_NO_ERROR
                ? .success(DeliveryReport(topic: topic, partition: slot.partition, offset: slot.offset))
                : .failure(KafkaError(slot.error, operation: "deliver to \(topic)"))
        }
    }
}
