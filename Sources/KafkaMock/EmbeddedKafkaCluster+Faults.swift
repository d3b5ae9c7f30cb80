import CRdKafka
import Kafka

/// Kafka protocol APIs whose requests the embedded cluster can be told to fail.
public enum KafkaProtocolAPI: Int16, Sendable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case initProducerId = 22
}

/// Broker error codes used in fault injection (Kafka protocol numbers, as librdkafka uses them).
public enum KafkaBrokerError: Int32, Sendable {
    /// Retriable: librdkafka's idempotent producer retries it.
    case notEnoughReplicas = 19
    case requestTimedOut = 7
    case notLeaderForPartition = 6
    /// Permanent for a produce request: the message fails with this error.
    case messageTooLarge = 10
    case topicAuthorizationFailed = 29
}

extension EmbeddedKafkaCluster {
    /// The next requests of `api`, cluster-wide, fail with `errors`, one error per request, in order.
    public func failNextRequests(of api: KafkaProtocolAPI, with errors: [KafkaBrokerError]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, codes.count, &codes)
    }

    /// Takes broker `id` (1...brokerCount) off the network: its connections close and new ones
    /// are refused until ``setBrokerUp(_:)``.
    public func setBrokerDown(_ id: Int32) throws {
        let error = rd_kafka_mock_broker_set_down(cluster, id)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(error, operation: "take broker \(id) down") }
    }

    public func setBrokerUp(_ id: Int32) throws {
        let error = rd_kafka_mock_broker_set_up(cluster, id)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(error, operation: "bring broker \(id) up") }
    }
}
