import Foundation
import Metrics

/// What the clients of NAV's APIs record about each call, per target API:
/// `mottak_external_request_duration_seconds{target, outcome}` (outcome: the HTTP status, or
/// `unreachable` for a refused connection or a timeout) and
/// `mottak_external_request_failures_total{target, reason}` (reason: `5xx`, `unreachable`, or
/// `access_denied` for 401/403, which an alert watches: our access is wrong, see the runbook),
/// so that a slow or failing dependency is visible before the retries run out.
public struct ExternalCallMetrics: Sendable {
    public let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records nothing (tests, tools).
    public static let none = ExternalCallMetrics(factory: NOOPMetricsHandler.instance)

    func record(target: String, status: Int?, duration: Duration) {
        let outcome = status.map(String.init) ?? "unreachable"
        Timer(
            label: "mottak_external_request_duration_seconds", dimensions: [("target", target), ("outcome", outcome)],
            preferredDisplayUnit: .seconds, factory: factory
        ).record(duration: duration)
        let reason: String
        switch status {
        case nil: reason = "unreachable"
        case 401, 403: reason = "access_denied"
        case let status? where status >= 500: reason = "5xx"
        default: return
        }
        Counter(label: "mottak_external_request_failures_total", dimensions: [("target", target), ("reason", reason)], factory: factory).increment()
    }
}
