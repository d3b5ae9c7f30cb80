/// Exponential backoff with full jitter, bounded in attempts: how a consumer role retries a
/// message whose handling failed for a transient reason (a dependency answered 5xx, timed out
/// or refused the connection).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first one included.
    public var maximumAttempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(maximumAttempts: Int = 8, initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(30)) {
        precondition(maximumAttempts >= 1, "a retry policy makes at least one attempt")
        self.maximumAttempts = maximumAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The pause before attempt `attempt + 1` (after `attempt` failures, `attempt` ≥ 1): a
    /// random duration up to `initialDelay · 2^(attempt-1)`, capped at `maximumDelay`, so that
    /// many consumers failing at once do not retry in lock-step.
    public func delay(afterAttempt attempt: Int, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration {
        let exponential = initialDelay * (1 << min(attempt - 1, 30))
        let cap = min(exponential, maximumDelay)
        return cap * random(0...1)
    }
}

extension RetryPolicy {
    /// For a NAV API that refuses our access (401/403, ``Domain/AccessDenied``): slow, because
    /// only an operator's fix helps (about 15 minutes of attempts before the dead-letter topic,
    /// from where a re-drive completes the plan once access is fixed), and alerted on meanwhile.
    public static let accessDenied = RetryPolicy(maximumAttempts: 12, initialDelay: .seconds(5), maximumDelay: .seconds(300))
}
