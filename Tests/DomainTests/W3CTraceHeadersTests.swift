import Domain
import Testing

/// What a caller's trace headers may carry into every message of a plan.
@Suite(.timeLimit(.minutes(1))) struct W3CTraceHeadersTests {
    static let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aWellFormedTraceparentAndItsTracestatePass() {
        let headers = [("traceparent", Self.parent), ("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")]
        #expect(W3CTraceHeaders.valid(headers).map(\.1) == headers.map(\.1))
    }

    @Test(arguments: [
        String(repeating: "0", count: 80_000),
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",  // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nx-forged: 1",
        "",
    ])
    func aMalformedTraceparentTakesItsTracestateWithIt(traceparent: String) {
        #expect(W3CTraceHeaders.valid([("traceparent", traceparent), ("tracestate", "a=b")]).isEmpty)
    }

    @Test func aTracestateTooLongOrNotPrintableIsDroppedAndTheTraceparentKept() {
        for state in [String(repeating: "a=b,", count: 200), "a=b\u{7}"] {
            #expect(W3CTraceHeaders.valid([("traceparent", Self.parent), ("tracestate", state)]).map(\.0) == ["traceparent"])
        }
        #expect(W3CTraceHeaders.valid([("tracestate", "a=b")]).isEmpty, "no tracestate without a traceparent")
    }
}
