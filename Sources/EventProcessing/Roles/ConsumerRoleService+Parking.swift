import Domain
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Storage

/// The durable wait: a message whose NAV API is down is parked after its quick attempts (its
/// offset committed, its partition and the other plans moving on) and re-run when due by the
/// role's parked-message runner, until it succeeds or the horizon is spent. Every replica runs
/// a runner on the one table; a claim keeps two from running one message at once.
extension ConsumerRoleService {
    public struct Parking: Sendable {
        public var store: ParkedMessageStore
        public var policy: ParkingPolicy
        /// How long a runner holds a claimed message; one that dies (or stops mid-run) leaves it
        /// to another after this. Longer than a run takes: NAV's calls time out within 30 s.
        public var claim: Duration = .seconds(180)
        /// How often the runner looks for due messages.
        public var pollInterval: Duration = .seconds(1)
        /// Due messages run at once, at most.
        public var batch = 32
        /// Whether the named API's circuit is open now: a due message waiting for it is put
        /// off without a call (the circuit's own probe finds out when it is back).
        public var isDependencyDown: @Sendable (String) -> Bool = { _ in false }
        /// How many times each API has come back: when the count grows, everything parked for
        /// that API is due at once instead of at the end of its backoff.
        public var recoveries: @Sendable () -> [String: Int] = { [:] }
        /// Tells the plan's status that a step now waits (the role's ``StatusStepEvent/Kind/waiting``),
        /// once, when a message is parked after its quick attempts. A failure is logged, not
        /// retried: the status is a courtesy to the employer, the parked message is what counts.
        public var onParked: @Sendable (KafkaMessage) async throws -> Void = { _ in }

        public init(store: ParkedMessageStore, policy: ParkingPolicy) {
            self.store = store
            self.policy = policy
        }
    }

    enum ParkingOutcome {
        case parked
        case abandoned
    }

    /// Parks `message` behind an earlier parked message of its plan, if there is one.
    func parkBehindEarlierIfAny(_ message: KafkaMessage, _ parking: Parking) async -> ParkingOutcome? {
        let key = message.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard case .read(let ticket, let probe) = await noneParked.admit(rebalances: consumer.rebalanceCount) else { return nil }
        defer { if probe { noneParked.finished(ticket) } }
        let outcome: ParkingOutcome?? = await withInfrastructureWaits(message) {
            let found = try await parking.store.parked(key: key, group: consumerGroup)
            if !found.groupHasAny { noneParked.confirm(ticket) }
            guard found.key else { return ParkingOutcome?.none }
            try await parking.store.park(
                Self.parked(message, attempts: 0), group: consumerGroup, due: .zero, dependency: nil,
                error: "waits behind an earlier parked message of its plan")
            noneParked.parked()
            logger.notice("parked behind an earlier message of the same plan", metadata: metadata(message))
            return .parked
        }
        return outcome ?? .abandoned
    }

    /// Parks `message` after its quick attempts failed with `error`: finished for the consumer.
    func park(_ message: KafkaMessage, after error: any Error, attempts: Int, _ parking: Parking) async -> MessageOutcome {
        let dependency = (error as? any DependencyOutage)?.dependency ?? (error as? any AccessDenied)?.dependency
        let delay = parking.policy.delay(afterAttempt: 1)
        let parked: Void? = await withInfrastructureWaits(message) {
            try await parking.store.park(
                Self.parked(message, attempts: attempts), group: consumerGroup, due: delay, dependency: dependency, error: "\(error)")
            noneParked.parked()
        }
        guard parked != nil else { return .abandoned }
        metrics.parked(dependency)
        do {
            try await parking.onParked(message)
        } catch {
            logger.warning("cannot tell the plan's status that it waits", metadata: metadata(message).merging(["error": "\(error)"]) { $1 })
        }
        logger.warning(
            "a NAV API is unavailable; the message waits in parked_message and is retried when due (offset committed)",
            metadata: metadata(message).merging(
                ["attempts": "\(attempts)", "error": "\(error)", "retry.in": "\(delay)", "dependency": "\(dependency ?? "-")"]) { $1 })
        return .finished
    }

    /// The runner: claims due messages and runs each once, until graceful shutdown.
    func runParkedMessages(_ parking: Parking) async {
        var recoveriesSeen = parking.recoveries()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let recoveries = parking.recoveries()
            for (dependency, count) in recoveries where count > recoveriesSeen[dependency, default: 0] {
                if let moved = try? await parking.store.bringForward(dependency: dependency) {
                    recoveriesSeen[dependency] = count
                    if moved > 0 {
                        logger.notice(
                            "a NAV API is back; its parked messages are due now", metadata: ["dependency": "\(dependency)", "messages": "\(moved)"])
                    }
                }
            }
            let claimed: [ParkedMessage]
            do {
                claimed = try await parking.store.claimDue(group: consumerGroup, limit: parking.batch, claim: parking.claim)
            } catch {
                if !Task.isCancelled { logger.warning("cannot read parked messages; trying again", metadata: ["error": "\(error)"]) }
                claimed = []
            }
            if claimed.isEmpty {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: parking.pollInterval) }
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                for message in claimed { group.addTask { await runParked(message, parking) } }
            }
        }
    }

    /// One run of a parked message: done and removed, dead-lettered and removed (poison, or
    /// the horizon spent), or due again later. Never more than one attempt per due time.
    private func runParked(_ parked: ParkedMessage, _ parking: Parking) async {
        let message = Self.message(parked)
        let store = parking.store
        do {
            if let dependency = parked.dependency, parking.isDependencyDown(dependency) {
                try await store.postpone(parked.id, due: parking.policy.delay(afterAttempt: parked.attempts))
                return
            }
            do {
                try await handler(message)
                try await store.remove(parked.id)
                metrics.processed()
                metrics.unparked(parked.dependency)
                logger.notice(
                    "a parked message was handled", metadata: metadata(message).merging(["attempts": "\(parked.attempts + 1)"]) { $1 })
            } catch let poison as PoisonMessage {
                if await deadLetter(message, reason: .poison(poison.reason), attempts: parked.attempts + 1) == .finished {
                    try await store.remove(parked.id)
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully {
                    try? await store.postpone(parked.id, due: .zero)
                    return
                }
                if isOwnInfrastructureDown(error) {
                    metrics.infrastructureWait()
                    try await store.postpone(parked.id, due: retryPolicy.maximumDelay)
                    return
                }
                // Another message is the circuit's probe right now: not an attempt of this one.
                if let outage = error as? any DependencyOutage, outage.isCircuitOpen {
                    try await store.postpone(parked.id, due: parking.policy.delay(afterAttempt: max(parked.attempts, 1)))
                    return
                }
                let attempts = parked.attempts + 1
                let waited = Date().timeIntervalSince(parked.parkedAt)
                if waited >= Double(parking.policy.horizon.components.seconds) {
                    let reason = DeadLetterReason.retriesExhausted(attempts: attempts, lastError: "\(error) (waited \(Int(waited)) s)")
                    if await deadLetter(message, reason: reason, attempts: attempts) == .finished {
                        try await store.remove(parked.id)
                    }
                    return
                }
                let dependency = (error as? any DependencyOutage)?.dependency ?? (error as? any AccessDenied)?.dependency
                if let denied = error as? any AccessDenied { metrics.accessDenied(denied.dependency) }
                let delay = parking.policy.delay(afterAttempt: attempts)
                try await store.reschedule(parked.id, attempts: attempts, due: delay, dependency: dependency, error: "\(error)")
                metrics.retried()
                logger.info(
                    "a parked message failed again; due later",
                    metadata: metadata(message).merging(["attempts": "\(attempts)", "error": "\(error)", "retry.in": "\(delay)"]) { $1 })
            }
        } catch {
            // PostgreSQL away: the claim expires and another run picks the message up.
            logger.warning("cannot record a parked message's run; its claim will expire", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `work` until it succeeds, waiting out our own PostgreSQL or Kafka being away; nil
    /// at shutdown. Any other error is taken as our own infrastructure too: parking must not
    /// lose the message, and only a database statement can fail here.
    private func withInfrastructureWaits<T>(_ message: KafkaMessage, _ work: () async throws -> T) async -> T? {
        var waits = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                return try await work()
            } catch {
                waits += 1
                metrics.infrastructureWait()
                let pause = retryPolicy.delay(afterAttempt: min(waits, 30))
                logger.warning(
                    "cannot park the message; waiting", metadata: metadata(message).merging(["error": "\(error)", "retry.in": "\(pause)"]) { $1 })
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
        return nil
    }

    static func parked(_ message: KafkaMessage, attempts: Int) -> ParkedMessage {
        ParkedMessage(
            sourceTopic: message.topic, sourcePartition: message.partition, sourceOffset: message.offset, key: message.key, value: message.value,
            headers: message.headers.map { ParkedMessage.Header(key: $0.key, bytes: $0.value) }, attempts: attempts)
    }

    static func message(_ parked: ParkedMessage) -> KafkaMessage {
        KafkaMessage(
            topic: parked.sourceTopic, partition: parked.sourcePartition, offset: parked.sourceOffset, key: parked.key, value: parked.value,
            headers: parked.headers.map { KafkaHeader(key: $0.key, value: $0.bytes) })
    }
}
