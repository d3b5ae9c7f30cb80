import Domain
import Foundation
import Metrics
import Synchronization

/// A circuit breaker per NAV API, for the whole process: after `failureThreshold` failures in
/// a row (5xx, timeout, refused connection) the API's circuit opens and calls fail at once,
/// without reaching it, so that hundreds of plans do not retry into an outage in lock-step.
/// After `openFor` one call goes through as a probe (the others are still refused): an answer
/// closes the circuit and counts a recovery (the parked-message runners then bring forward
/// everything that waits for the API); another failure opens it again for twice as long, up to
/// `maximumOpenFor`, so that an API that is back is found within that.
///
/// Metrics: `mottak_dependency_circuit_open{dependency}` (1 while open or probing) and
/// `mottak_dependency_circuit_opened_at_seconds{dependency}` (Unix time the outage began, 0 when
/// closed; the alert `MottakDependencyDown` fires when one has been open for 15 minutes), and
/// `mottak_dependency_calls_refused_total{dependency}`.
public final class DependencyCircuits: Sendable {
    public struct Settings: Sendable, Equatable {
        public var failureThreshold = 5
        public var openFor: Duration = .seconds(5)
        public var maximumOpenFor: Duration = .seconds(60)

        public init() {}
    }

    /// What a caller may do now.
    enum Permission: Equatable {
        case call
        /// The one call that finds out whether the API is back.
        case probe
        case refuse
    }

    private enum Circuit {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant, openFor: Duration, since: Double)
        case probing(openFor: Duration, since: Double)
    }

    private struct State {
        var circuits: [String: Circuit] = [:]
        var recoveries: [String: Int] = [:]
    }

    /// No breaking: every call goes through (tools, and tests of the clients themselves).
    public static let none = DependencyCircuits(settings: nil)

    private let settings: Settings?
    private let state = Mutex(State())
    private let factory: any MetricsFactory
    private let now: @Sendable () -> ContinuousClock.Instant
    private let wallClock: @Sendable () -> Double

    public init(
        settings: Settings? = Settings(), metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.settings = settings
        self.factory = metricsFactory
        self.now = now
        self.wallClock = wallClock
    }

    /// Whether the API's circuit refuses calls now (open, and not yet time for its probe).
    public func isOpen(_ dependency: String) -> Bool {
        state.withLock { state in
            guard case .open(let until, _, _) = state.circuits[dependency] else { return false }
            return now() < until
        }
    }

    /// How many times each API came back (a probe answered) since the process started.
    public func recoveries() -> [String: Int] {
        state.withLock { $0.recoveries }
    }

    func permission(for dependency: String) -> Permission {
        guard settings != nil else { return .call }
        let permission = state.withLock { state -> Permission in
            switch state.circuits[dependency] ?? .closed(failures: 0) {
            case .closed: return .call
            case .probing: return .refuse
            case .open(let until, let openFor, let since):
                guard now() >= until else { return .refuse }
                state.circuits[dependency] = .probing(openFor: openFor, since: since)
                return .probe
            }
        }
        if permission == .refuse {
            Counter(label: "mottak_dependency_calls_refused_total", dimensions: [("dependency", dependency)], factory: factory).increment()
        }
        return permission
    }

    /// The outcome of a call that was let through: `answered` when the API gave an answer that
    /// is not a 5xx.
    func record(_ dependency: String, answered: Bool) {
        guard let settings else { return }
        let change = state.withLock { state -> Double?? in
            let circuit = state.circuits[dependency] ?? .closed(failures: 0)
            switch (circuit, answered) {
            case (.closed(let failures), false):
                guard failures + 1 >= settings.failureThreshold else {
                    state.circuits[dependency] = .closed(failures: failures + 1)
                    return nil
                }
                let since = wallClock()
                state.circuits[dependency] = .open(until: now() + settings.openFor, openFor: settings.openFor, since: since)
                return .some(since)
            case (.closed, true):
                state.circuits[dependency] = .closed(failures: 0)
                return nil
            case (.probing(let openFor, let since), false):
                let longer = min(openFor * 2, settings.maximumOpenFor)
                state.circuits[dependency] = .open(until: now() + longer, openFor: longer, since: since)
                return nil
            case (.open, false):
                // A call let through before the circuit opened, failing late: only a failed probe
                // lengthens the pause, or a burst of calls in flight would push the first probe
                // from `openFor` to `maximumOpenFor`.
                return nil
            case (.probing, true), (.open, true):
                state.circuits[dependency] = .closed(failures: 0)
                state.recoveries[dependency, default: 0] += 1
                return .some(nil)
            }
        }
        guard let change else { return }
        Gauge(label: "mottak_dependency_circuit_open", dimensions: [("dependency", dependency)], factory: factory).record(change == nil ? 0 : 1)
        Gauge(label: "mottak_dependency_circuit_opened_at_seconds", dimensions: [("dependency", dependency)], factory: factory)
            .record(change ?? 0)
    }
}

/// A call refused because its API's circuit is open: the API was not called.
extension DependencyUnavailable {
    static func circuitOpen(_ dependency: String) -> DependencyUnavailable {
        var error = DependencyUnavailable(dependency, "circuit open after repeated failures; not called")
        error.isCircuitOpen = true
        return error
    }
}
