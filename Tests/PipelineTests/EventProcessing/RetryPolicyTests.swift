import EventProcessing
import Testing

@Suite(.timeLimit(.minutes(5))) struct RetryPolicyTests {
    @Test func delaysGrowExponentiallyUpToTheCapWithJitter() {
        let policy = RetryPolicy(maximumAttempts: 10, initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1, random: { _ in 1 }) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, random: { _ in 1 }) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 9, random: { _ in 1 }) == .seconds(1))
        #expect(policy.delay(afterAttempt: 3, random: { _ in 0.5 }) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 60, random: { _ in 1 }) == .seconds(1), "no overflow")
        for attempt in 1...20 { #expect(policy.delay(afterAttempt: attempt) <= .seconds(1)) }
    }
}
