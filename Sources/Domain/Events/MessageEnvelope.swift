/// The headers every message of this service carries, on whichever path it leaves: written to
/// the outbox with the change that causes it (the intake's plan, the status updater's public
/// status event) or sent from one topic to the next by a consuming role.
///
/// In this order: `event-type` (``EventType``: what the value is), `nav-call-id` (the call
/// that brought the plan in, so the logs of every role can be joined), and the W3C trace
/// context (`traceparent`, `tracestate`), so that one plan is one trace.
public struct MessageEnvelope: Sendable, Equatable {
    public static let eventTypeHeader = "event-type"
    public static let callIDHeader = "nav-call-id"

    public var eventType: EventType
    public var callID: String?
    /// `traceparent` and `tracestate`, already checked (``W3CTraceHeaders``).
    public var traceHeaders: [TraceHeader]

    public struct TraceHeader: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(eventType: EventType, callID: String? = nil, traceHeaders: [(String, String)] = []) {
        self.eventType = eventType
        self.callID = callID
        self.traceHeaders = traceHeaders.map { TraceHeader(name: $0.0, value: $0.1) }
    }

    /// The headers as name and value, in the envelope's order.
    public var headers: [(name: String, value: String)] {
        [(Self.eventTypeHeader, eventType.rawValue)] + (callID.map { [(Self.callIDHeader, $0)] } ?? [])
            + traceHeaders.map { ($0.name, $0.value) }
    }

    /// The headers as the outbox keeps them (`outbox.headers`, a JSON object the relay turns
    /// back into Kafka headers).
    public var outboxJSON: String { ContractJSONEncoder.document(OutboxHeaders(headers: headers)) }

    /// A JSON object of the headers, in their order.
    private struct OutboxHeaders: Encodable {
        var headers: [(name: String, value: String)]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: HeaderName.self)
            for (name, value) in headers { try container.encode(value, forKey: HeaderName(name)) }
        }
    }

    private struct HeaderName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
