/// A NAV API (or Azure AD) gave no usable answer: 5xx, a timeout, a refused connection, or
/// its circuit is open. Never a verdict on the plan: whoever retries parks the plan's step
/// until the API is back, and names the API so that its recovery can bring the step forward.
public protocol DependencyOutage: Error {
    /// The API (`dokarkiv`, `pdl`, `isdialogmelding`, …).
    var dependency: String { get }
    /// True when the call was refused by the API's open circuit breaker without reaching it.
    var isCircuitOpen: Bool { get }
}

extension DependencyOutage {
    public var isCircuitOpen: Bool { false }
}
