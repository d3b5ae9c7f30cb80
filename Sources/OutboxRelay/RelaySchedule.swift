/// When the outbox relay looks for rows next, from what its polls found and the nudges of its
/// process's writers. Apart from the loop so that its rules are tested without waiting.
struct RelaySchedule {
    /// What one poll found.
    enum Poll: Equatable {
        /// Another relay held the publishing lock.
        case standby
        /// Rows were not acknowledged (Kafka down): back off.
        case failed
        /// This many rows were sent (none: the outbox was empty).
        case sent(Int)
    }

    let settings: OutboxRelayService.Settings
    /// When the relay polls next.
    private(set) var nextPoll: ContinuousClock.Instant
    private var backoff: Duration
    private var backingOff = false
    /// A nudge came that no poll has answered yet (a standby poll does not).
    private var owed = false

    init(_ settings: OutboxRelayService.Settings, now: ContinuousClock.Instant) {
        self.settings = settings
        self.nextPoll = now
        self.backoff = settings.initialBackoff
    }

    /// Rows were committed in this process: poll now, unless backing off from a failure (the
    /// rows wait for Kafka like the others).
    mutating func nudged(now: ContinuousClock.Instant) {
        owed = true
        if !backingOff { nextPoll = min(nextPoll, now) }
    }

    mutating func polled(_ poll: Poll, now: ContinuousClock.Instant) {
        switch poll {
        case .standby:
            // The holder's batch may have begun before the nudged rows were committed: try
            // again soon while they are owed.
            nextPoll = now + (owed ? settings.tick : settings.standbyInterval)
        case .failed:
            backingOff = true
            nextPoll = now + backoff
            backoff = min(backoff * 2, settings.maximumBackoff)
        case .sent(let rows):
            backingOff = false
            backoff = settings.initialBackoff
            owed = false
            nextPoll = rows >= settings.batchSize ? now : now + (rows > 0 ? settings.tick : settings.idleInterval)
        }
    }
}
