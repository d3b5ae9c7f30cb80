import CRdKafka
import Logging

/// Commits the marked offsets and waits for the broker's answer, but at most `limit`.
///
/// librdkafka's synchronous commit waits as long as its group does: while a rebalance waits on
/// a member that died (until that member's session expires), a commit on close or on
/// revocation blocked the poll thread, and a pod told to stop during a crash elsewhere was
/// ended by the watchdog. Past the limit the commit is left to librdkafka (it may still land);
/// if it does not, the next owner re-reads from the last commit (at-least-once: handlers are
/// idempotent).
enum BoundedCommit {
    /// The commit's error; nil when it did not answer within `limit`.
    static func commit(_ handle: OpaquePointer, within limit: Duration) -> rd_kafka_resp_err_t? {
        guard let queue = rd_kafka_queue_new(handle) else { return RD_KAFKA_RESP_ERR__FAIL }
        defer { rd_kafka_queue_destroy(queue) }
        let started = rd_kafka_commit_queue(handle, nil, queue, nil, nil)
        guard started == RD_KAFKA_RESP_ERR_NO_ERROR else { return started }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            guard let event = rd_kafka_queue_poll(queue, 50) else { continue }
            defer { rd_kafka_event_destroy(event) }
            if rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT { return rd_kafka_event_error(event) }
        }
        return nil
    }

    /// Commits within `limit` and logs what went wrong, if anything (`what` names the moment).
    static func commitLogging(_ handle: OpaquePointer, within limit: Duration, what: String, logger: Logger) {
        switch commit(handle, within: limit) {
        case nil:
            logger.warning(
                "\(what) did not finish in time (the group is rebalancing); the next owner may re-read from the last commit",
                metadata: ["limit": "\(limit)"])
        case RD_KAFKA_RESP_ERR_NO_ERROR?, RD_KAFKA_RESP_ERR__NO_OFFSET?:
            break
        case let error?:
            logger.warning(
                "\(what) failed; the next owner re-reads from the last commit",
                metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(error)))"])
        }
    }
}
