import Metrics
import Synchronization
import Testing

@testable import NavClients

/// The circuit breaker of one NAV API, on a clock the test moves.
@Suite(.timeLimit(.minutes(1))) struct DependencyCircuitsTests {
    final class Clock: Sendable {
        let instant = Mutex(ContinuousClock.now)
        func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
        func now() -> ContinuousClock.Instant { instant.withLock { $0 } }
    }

    static func circuits(_ clock: Clock) -> DependencyCircuits {
        var settings = DependencyCircuits.Settings()
        settings.failureThreshold = 3
        settings.openFor = .seconds(5)
        settings.maximumOpenFor = .seconds(12)
        return DependencyCircuits(settings: settings, now: clock.now)
    }

    @Test func opensAfterTheThresholdAndRefusesWithoutCalling() {
        let clock = Clock()
        let circuits = Self.circuits(clock)
        for _ in 0..<2 {
            #expect(circuits.permission(for: "dokarkiv") == .call)
            circuits.record("dokarkiv", answered: false)
        }
        #expect(!circuits.isOpen("dokarkiv"), "two failures in a row are not an outage yet")
        #expect(circuits.permission(for: "dokarkiv") == .call)
        circuits.record("dokarkiv", answered: false)
        #expect(circuits.isOpen("dokarkiv"))
        #expect(circuits.permission(for: "dokarkiv") == .refuse)
        #expect(circuits.permission(for: "pdl") == .call, "one API's outage is not another's")
    }

    @Test func oneProbeAtATimeAndItsAnswerClosesTheCircuitAndCountsARecovery() {
        let clock = Clock()
        let circuits = Self.circuits(clock)
        for _ in 0..<3 { circuits.record("dokarkiv", answered: false) }
        clock.advance(.seconds(5))
        #expect(circuits.permission(for: "dokarkiv") == .probe)
        #expect(circuits.permission(for: "dokarkiv") == .refuse, "only one probe while it is out")
        circuits.record("dokarkiv", answered: true)
        #expect(circuits.permission(for: "dokarkiv") == .call)
        #expect(circuits.recoveries() == ["dokarkiv": 1])
    }

    @Test func aFailedProbeOpensItForTwiceAsLongUpToTheMaximum() {
        let clock = Clock()
        let circuits = Self.circuits(clock)
        for _ in 0..<3 { circuits.record("dokarkiv", answered: false) }
        clock.advance(.seconds(5))
        for openFor in [10, 12, 12] {
            #expect(circuits.permission(for: "dokarkiv") == .probe)
            circuits.record("dokarkiv", answered: false)
            clock.advance(.seconds(openFor - 1))
            #expect(circuits.permission(for: "dokarkiv") == .refuse, "open for \(openFor) s")
            clock.advance(.seconds(1))
        }
        #expect(circuits.recoveries().isEmpty)
    }

    /// Calls in flight when the circuit opened fail late: the first probe still comes after
    /// `openFor`, not after a pause doubled once per late failure.
    @Test func lateFailuresOfCallsInFlightDoNotPutTheProbeOff() {
        let clock = Clock()
        let circuits = Self.circuits(clock)
        for _ in 0..<3 { circuits.record("dokarkiv", answered: false) }
        for _ in 0..<20 { circuits.record("dokarkiv", answered: false) }
        clock.advance(.seconds(5))
        #expect(circuits.permission(for: "dokarkiv") == .probe)
    }

    @Test func aSuccessBetweenFailuresStartsTheCountAgain() {
        let circuits = Self.circuits(Clock())
        for answered in [false, false, true, false, false] { circuits.record("pdl", answered: answered) }
        #expect(!circuits.isOpen("pdl"))
    }
}
