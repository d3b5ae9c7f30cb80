import Domain
import HTTPTypes
import Hummingbird
import Tracing

/// W3C trace context on the HTTP side. The request's span (Hummingbird's `TracingMiddleware`,
/// continuing the caller's `traceparent`) is what the plan's Kafka events carry on; without a
/// tracer, the caller's own `traceparent` is passed on unchanged.
public enum TraceHeaders {
    static let names = ["traceparent", "tracestate"]

    /// The trace headers for the events a request causes.
    public static func continuing(_ request: Request) -> [(String, String)] {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(ServiceContext.current ?? .topLevel, into: &carrier, using: Carrier())
        let injected = names.compactMap { name in carrier[name].map { (name, $0) } }
        if !injected.isEmpty { return injected }
        return W3CTraceHeaders.valid(names.compactMap { name in request.headers[HTTPField.Name(name)!].map { (name, $0) } })
    }

    struct Carrier: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }
}
