import Foundation
import Metrics

/// What the clients of NAV's APIs record about each call, per target API:
/// `mottak_external_request_duration_seconds{target, outcome}` (outcome: the HTTP status, or
/// `unreachable` for a refused connection or a timeout) and
/// `mottak_external_request_failures_total{target, reason}` (reason: `5xx` or `unreachable`),
/// so that a slow or failing dependency is visible before the retries run out.
public struct ExternalCallMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records nothing (tests, tools).
    public static let none = ExternalCallMetrics(factory: NOOPMetricsHandler.instance)

    func record(target: String, status: Int?, duration: Duration) {
        let outcome = status.map(String.init) ?? "unreachable"
        Timer(label: "mottak_external_request_duration_seconds", dimensions: [("target", target), ("outcome", outcome)],
              preferredDisplayUnit: .seconds, factory: factory).record(duration: duration)
        if let status, status < 500 { return }
        Counter(label: "mottak_external_request_failures_total", dimensions: [("target", target), ("reason", status == nil ? "unreachable" : "5xx")],
                factory: factory).increment()
    }
}
