import Domain
import Kafka
import Tracing

/// W3C trace context (`traceparent`, `tracestate`) across Kafka, so that one plan is one trace
/// from the POST to its final status.
///
/// With a tracer bootstrapped (OTLP, `OTEL_EXPORTER_OTLP_ENDPOINT`), each role continues the
/// trace of the message it handles in a span of its own, and the messages it sends carry that
/// span. Without one, the incoming `traceparent` is passed on unchanged, so the trace id still
/// joins the logs of every role.
public enum TraceContext {
    /// The W3C header names.
    public static let headerNames: Set<String> = ["traceparent", "tracestate"]

    /// The trace headers of the current context; `fallback` (the caller's own header) when the
    /// instrument writes none (no tracer bootstrapped).
    public static func currentHeaders(fallback: [(String, String)] = []) -> [(String, String)] {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(ServiceContext.current ?? .topLevel, into: &carrier, using: DictionaryInjector())
        let injected = carrier.filter { headerNames.contains($0.key) }.sorted { $0.key < $1.key }
        return injected.isEmpty ? W3CTraceHeaders.valid(fallback) : injected
    }

    /// The context a message carries (empty without a tracer or without the headers).
    public static func context(of message: KafkaMessage) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(message.headers, into: &context, using: KafkaHeadersExtractor())
        return context
    }

}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

struct KafkaHeadersExtractor: Extractor {
    func extract(key: String, from carrier: [KafkaHeader]) -> String? {
        carrier.last { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}

extension KafkaMessage {
    /// The trace context to pass on: this role's span when tracing is on, else the incoming
    /// headers unchanged.
    public var continuedTraceHeaders: [(String, String)] {
        let incoming = headers.compactMap { header -> (String, String)? in
            guard TraceContext.headerNames.contains(header.key), let value = header.value else { return nil }
            return (header.key, String(decoding: value, as: UTF8.self))
        }
        return TraceContext.currentHeaders(fallback: incoming)
    }

    /// The envelope of a message this one causes: the new message's own event type, this
    /// one's call id and its trace context continued (``continuedTraceHeaders``).
    public func envelope(of eventType: EventType) -> MessageEnvelope {
        MessageEnvelope(eventType: eventType, callID: header(MessageEnvelope.callIDHeader), traceHeaders: continuedTraceHeaders)
    }

    /// The Kafka headers of a message this one causes (``envelope(of:)``).
    public func carriedHeaders(eventType: EventType) -> [KafkaHeader] { envelope(of: eventType).kafkaHeaders }
}

extension MessageEnvelope {
    /// The envelope as Kafka headers.
    public var kafkaHeaders: [KafkaHeader] { headers.map { KafkaHeader(key: $0.name, value: $0.value) } }
}
