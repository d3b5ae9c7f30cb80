import CRdKafka
import Logging

/// librdkafka's rebalance callback: runs on the consumer's poll thread, inside
/// `rd_kafka_consumer_poll`, so never while a message of ours is being fetched.
///
/// On revocation it first commits the offsets marked processed (synchronously), so that the
/// partitions' next owner starts right after the last processed message: nothing processed is
/// handed out again, and nothing unprocessed was ever marked. Both the eager and the
/// cooperative protocol are handled.
enum Rebalance {
    /// How long a revocation waits for its commit: long enough for a broker's answer, short
    /// enough that a close during a stuck rebalance stays within the shutdown's grace.
    static let revocationCommitLimit: Duration = .seconds(1)

    static let callback:
        @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void =
            {
                handle, reason, partitions, _ in
                guard let handle else { return }
                let callbacks = ClientCallbacks.from(handle)
                let logger = callbacks?.logger ?? Logger(label: "kafka")
                let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
                let names = partitions.map(topicPartitions) ?? []

                switch reason {
                case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                    logger.info("partitions assigned", metadata: ["kafka.partitions": "\(names)"])
                    callbacks?.progress?.partitionsAssigned(names)
                    if cooperative {
                        consume(rd_kafka_incremental_assign(handle, partitions), logger: logger, action: "assign")
                    } else {
                        report(rd_kafka_assign(handle, partitions), logger: logger, action: "assign")
                    }
                case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
                    logger.info("partitions revoked", metadata: ["kafka.partitions": "\(names)"])
                    // Messages of these partitions still at work get a bounded time to finish,
                    // so that their offsets are in the commit below.
                    callbacks?.progress?.partitionsRevoking(names)
                    BoundedCommit.commitLogging(handle, within: revocationCommitLimit, what: "the commit before revocation", logger: logger)
                    if cooperative {
                        consume(rd_kafka_incremental_unassign(handle, partitions), logger: logger, action: "unassign")
                    } else {
                        report(rd_kafka_assign(handle, nil), logger: logger, action: "unassign")
                    }
                default:
                    logger.error("rebalance failed", metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(reason)))"])
                    callbacks?.progress?.partitionsRevoking(names)
                    report(rd_kafka_assign(handle, nil), logger: logger, action: "unassign")
                }
            }

    static func topicPartitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return TopicPartition(topic: String(cString: element.topic), partition: element.partition)
        }
    }

    private static func report(_ error: rd_kafka_resp_err_t, logger: Logger, action: String) {
        guard error != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        logger.error("partition \(action) failed", metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(error)))"])
    }

    private static func consume(_ error: OpaquePointer?, logger: Logger, action: String) {
        guard let error else { return }
        logger.error("partition \(action) failed: \(String(cString: rd_kafka_error_string(error)))")
        rd_kafka_error_destroy(error)
    }
}
