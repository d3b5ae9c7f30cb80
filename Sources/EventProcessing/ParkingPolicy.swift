/// The durable wait after the quick attempts (``RetryPolicy``) of a message whose NAV API is
/// down: the message is parked (`parked_message`) and re-run when due, each pause drawn at
/// random between half and all of `initialDelay · 2^(attempt-1)`, capped at `maximumDelay`,
/// until `horizon` has passed since it was parked; only then is it dead-lettered. NAV's
/// archive, PDL and the GP service have maintenance windows and incidents of minutes to hours,
/// so the default horizon is a day.
public struct ParkingPolicy: Sendable, Equatable {
    /// How long a parked message may wait in all. Zero: no parking, a message is dead-lettered
    /// after its quick attempts.
    public var horizon: Duration
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(horizon: Duration = .seconds(24 * 3600), initialDelay: Duration = .seconds(10), maximumDelay: Duration = .seconds(300)) {
        self.horizon = horizon
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// No durable wait: dead-letter after the quick attempts.
    public static let disabled = ParkingPolicy(horizon: .zero)

    public var isEnabled: Bool { horizon > .zero }

    /// The pause before the next run after `attempt` runs of the parked message (`attempt` ≥ 1).
    /// Never under half the cap, so hundreds of plans parked together spread out rather than
    /// come due in lock-step, yet none waits much longer than its step.
    public func delay(afterAttempt attempt: Int, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration {
        let exponential = initialDelay * (1 << min(max(attempt - 1, 0), 30))
        let cap = min(exponential, maximumDelay)
        return cap * random(0.5...1)
    }
}
