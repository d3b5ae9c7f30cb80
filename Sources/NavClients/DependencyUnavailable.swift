import Domain

/// A NAV API did not give a usable answer: retry later. Never a verdict about the plan.
public struct DependencyUnavailable: DependencyOutage, CustomStringConvertible {
    /// Which API (`aareg`, `pdl`, `azuread`, …).
    public var dependency: String
    public var reason: String
    /// Refused by the API's open circuit (``DependencyCircuits``): the API was not called.
    public var isCircuitOpen = false

    public init(_ dependency: String, _ reason: String) {
        self.dependency = dependency
        self.reason = reason
    }

    public var description: String { "\(dependency) unavailable: \(reason)" }
}

/// A NAV API (or Azure AD, for its token) refused us with 401 or 403: our access is wrong, not
/// the plan. Retried slowly and alerted on (``Domain/AccessDenied``); see the runbook.
public struct NavAccessDenied: AccessDenied, CustomStringConvertible {
    public var dependency: String
    /// The HTTP status the API answered.
    public var status: Int

    public init(_ dependency: String, status: Int) {
        self.dependency = dependency
        self.status = status
    }

    public var description: String { "\(dependency) refused our access (status \(status))" }
}
