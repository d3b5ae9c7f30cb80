/// A NAV API did not give a usable answer: retry later. Never a verdict about the plan.
public struct DependencyUnavailable: Error, CustomStringConvertible {
    /// Which API (`aareg`, `pdl`, `azuread`, …).
    public var dependency: String
    public var reason: String

    public init(_ dependency: String, _ reason: String) {
        self.dependency = dependency
        self.reason = reason
    }

    public var description: String { "\(dependency) unavailable: \(reason)" }
}
