import CRdKafka
import Synchronization

/// librdkafka topic handles of one producer, created on first use and kept until it closes.
///
/// Producing by topic *name* makes librdkafka look the topic up under a lock for every
/// message; a handle skips that (kcat does the same). Handles are destroyed before the
/// producer's `rd_kafka_t`, as librdkafka requires.
final class TopicHandles: @unchecked Sendable {
    // @unchecked: the pointers are librdkafka topic handles (thread-safe); the table is locked.
    private let handles = Mutex<[String: OpaquePointer]>([:])
    private let client: OpaquePointer

    init(client: OpaquePointer) {
        self.client = client
    }

    /// The handle for `topic`, or nil when librdkafka refuses the name.
    func handle(for topic: String) -> OpaquePointer? {
        handles.withLock { handles in
            if let handle = handles[topic] { return handle }
            guard let handle = rd_kafka_topic_new(client, topic, nil) else { return nil }
            handles[topic] = handle
            return handle
        }
    }

    func destroyAll() {
        let all = handles.withLock { handles in
            defer { handles = [:] }
            return Array(handles.values)
        }
        for handle in all { rd_kafka_topic_destroy(handle) }
    }
}
