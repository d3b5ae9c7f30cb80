import CRdKafka
import Foundation

/// Plain librdkafka calls, used to check the embedded cluster with a client that owes nothing
/// to our wrapper (the full producer and consumer are their own module, issue #3).
enum PlainLibrdkafka {
    struct Delivered: Equatable {
        var partition: Int32
        var offset: Int64
    }

    struct Consumed: Equatable {
        var partition: Int32
        var offset: Int64
        var key: String
        var value: String
        var header: String?
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func client(_ type: rd_kafka_type_t, _ properties: [String: String], events: Int32 = 0) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var error = [CChar](repeating: 0, count: 512)
        for (key, value) in properties where rd_kafka_conf_set(conf, key, value, &error, error.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw Failure(description: error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        if events != 0 { rd_kafka_conf_set_events(conf, events) }
        guard let handle = rd_kafka_new(type, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw Failure(description: error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return handle
    }

    /// Produces one message with an idempotent, acks=all producer and waits for its delivery report.
    static func produce(bootstrap: String, topic: String, key: String, value: String, header: (String, String)) throws -> Delivered {
        let producer = try client(
            RD_KAFKA_PRODUCER, ["bootstrap.servers": bootstrap, "enable.idempotence": "true", "acks": "all"],
            events: Int32(RD_KAFKA_EVENT_DR))
        defer { rd_kafka_destroy(producer) }

        let produceError: OpaquePointer? = topic.withCString { topicName in
            key.withCString { keyBytes in
                value.withCString { valueBytes in
                    header.0.withCString { headerName in
                        header.1.withCString { headerValue in
                            var parts = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 5)
                            parts[0].vtype = RD_KAFKA_VTYPE_TOPIC
                            parts[0].u.cstr = topicName
                            parts[1].vtype = RD_KAFKA_VTYPE_KEY
                            parts[1].u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes)
                            parts[1].u.mem.size = strlen(keyBytes)
                            parts[2].vtype = RD_KAFKA_VTYPE_VALUE
                            parts[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes)
                            parts[2].u.mem.size = strlen(valueBytes)
                            parts[3].vtype = RD_KAFKA_VTYPE_HEADER
                            parts[3].u.header.name = headerName
                            parts[3].u.header.val = UnsafeRawPointer(headerValue)
                            parts[3].u.header.size = strlen(headerValue)
                            parts[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                            parts[4].u.i = RD_KAFKA_MSG_F_COPY
                            return rd_kafka_produceva(producer, &parts, parts.count)
                        }
                    }
                }
            }
        }
        if let produceError {
            defer { rd_kafka_error_destroy(produceError) }
            throw Failure(description: String(cString: rd_kafka_error_string(produceError)))
        }

        let queue = rd_kafka_queue_get_main(producer)
        defer { rd_kafka_queue_destroy(queue) }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard let event = rd_kafka_queue_poll(queue, 500) else { continue }
            defer { rd_kafka_event_destroy(event) }
            guard rd_kafka_event_type(event) == RD_KAFKA_EVENT_DR, let message = rd_kafka_event_message_next(event) else { continue }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw Failure(description: String(cString: rd_kafka_err2str(message.pointee.err)))
            }
            return Delivered(partition: message.pointee.partition, offset: message.pointee.offset)
        }
        throw Failure(description: "no delivery report within 20 s")
    }

    /// Joins `group`, subscribes to `topic` and returns the first message.
    static func consumeFirst(bootstrap: String, topic: String, group: String) throws -> Consumed {
        let consumer = try client(
            RD_KAFKA_CONSUMER,
            ["bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": "false"])
        defer { rd_kafka_destroy(consumer) }
        rd_kafka_poll_set_consumer(consumer)
        let topics = rd_kafka_topic_partition_list_new(1)
        defer { rd_kafka_topic_partition_list_destroy(topics) }
        rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA)
        let subscribed = rd_kafka_subscribe(consumer, topics)
        guard subscribed == RD_KAFKA_RESP_ERR_NO_ERROR else { throw Failure(description: String(cString: rd_kafka_err2str(subscribed))) }
        defer { rd_kafka_consumer_close(consumer) }

        let deadline = Date().addingTimeInterval(30)  // the mock's first group join takes about 3 s
        while Date() < deadline {
            guard let message = rd_kafka_consumer_poll(consumer, 500) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw Failure(description: String(cString: rd_kafka_err2str(m.err))) }
            var headers: OpaquePointer?
            var header: String?
            if rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR {
                var bytes: UnsafeRawPointer?
                var size = 0
                if rd_kafka_header_get_last(headers, "trace", &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR, let bytes {
                    header = String(decoding: UnsafeRawBufferPointer(start: bytes, count: size), as: UTF8.self)
                }
            }
            return Consumed(
                partition: m.partition, offset: m.offset,
                key: String(decoding: UnsafeRawBufferPointer(start: m.key, count: m.key_len), as: UTF8.self),
                value: String(decoding: UnsafeRawBufferPointer(start: m.payload, count: m.len), as: UTF8.self),
                header: header)
        }
        throw Failure(description: "no message within 30 s")
    }
}
