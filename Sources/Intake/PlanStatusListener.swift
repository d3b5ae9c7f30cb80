import Domain
import Foundation
import Logging
import PlanStatusRecords
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization

/// The process's one `LISTEN plan_status` connection, fanning each notification that a plan's
/// status became final out to the requests waiting for that plan: a waiting request holds no
/// connection of its own, and reads its row only when it is final, so a few hundred of them
/// cost the pool almost nothing.
///
/// A notification sent while the connection is down is lost (PostgreSQL does not queue them
/// for a listener that is gone). So every (re)connection wakes all waiters, and each re-reads
/// its plan's status row: nothing that changed meanwhile goes unseen.
///
/// With `direct` (production), the LISTEN connection is one of its own, outside the pool, made
/// again after a loss: a lost pooled connection has left postgres-nio 1.33.2's pool handing out
/// no further lease (seen in `aChangeMadeWhileTheListenConnectionWasDownIsStillSeen`, about one
/// full-suite run in six; docs/development.md "Tests"), and a pool must never stall for this.
public final class PlanStatusListener: Service, Sendable {
    private let postgres: PostgresClient
    private let direct: DatabaseConfiguration?
    private let reconnectDelay: Duration
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var waiters: [UUID: [Int: Waiter]] = [:]
        var nextID = 0
        var isListening = false
    }

    /// `direct`: the database, for the LISTEN connection of its own; nil borrows one of `postgres`.
    public init(postgres: PostgresClient, direct: DatabaseConfiguration? = nil, reconnectDelay: Duration = .seconds(1), logger: Logger) {
        self.postgres = postgres
        self.direct = direct
        self.reconnectDelay = reconnectDelay
        self.logger = logger
    }

    /// Whether the LISTEN is in place now.
    public var isListening: Bool { state.withLock { $0.isListening } }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await listenUntilStopped()
            } onCancel: {
                self.watchTheStop()
            }
        } onGracefulShutdown: {
            self.watchTheStop()
        }
    }

    /// Where the listener is (`leasing a connection`, `listening`, …), for the warning below.
    private let phase = Mutex("starting")

    private func enter(_ step: String) {
        phase.withLock { $0 = step }
        logger.debug("LISTEN plan_status: \(step)")
    }

    /// Asked to stop, the listener must end within moments; a warning names the step it is
    /// stuck in if it has not after 5 s (a test once waited for it for minutes; see
    /// docs/development.md, "Tests").
    private func watchTheStop() {
        let watch = Task { [self] in
            try await Task.sleep(for: .seconds(5))
            let step = phase.withLock { $0 }
            if step != "stopped" {
                logger.warning("LISTEN plan_status has not stopped 5 s after it was asked to", metadata: ["step": "\(step)"])
            }
        }
        stopWatch.withLock { $0 = watch }
    }

    private let stopWatch = Mutex<Task<Void, any Error>?>(nil)

    private func listenUntilStopped() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    if let direct = self.direct {
                        self.enter("connecting")
                        let connection = try await PostgresConnection.connect(
                            configuration: try direct.connectionConfiguration(), id: 0, logger: self.logger)
                        do {
                            try await self.listen(on: connection)
                        } catch {
                            self.enter("closing the connection")
                            try? await connection.close()
                            throw error
                        }
                        self.enter("closing the connection")
                        try? await connection.close()
                    } else {
                        self.enter("leasing a connection")
                        try await self.postgres.withConnection { connection in
                            try await self.listen(on: connection)
                            self.enter("returning the connection")
                        }
                    }
                }
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                logger.warning(
                    "LISTEN plan_status lost; reconnecting", metadata: ["error": "\(LoggedError.text(error))", "retry.in": "\(reconnectDelay)"])
            }
            listening(false)
            enter("waiting to reconnect")
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.reconnectDelay) }
        }
        enter("stopped")
        stopWatch.withLock { $0 }?.cancel()
        listening(false)
    }

    private func listen(on connection: PostgresConnection) async throws {
        enter("starting LISTEN")
        try await connection.listen(on: PlanStatusNotification.channel) { notifications in
            self.enter("listening")
            self.listening(true)
            for try await notification in notifications { self.deliver(notification.payload) }
            self.enter("leaving LISTEN")
        }
    }

    /// Runs `body` with a watch on `uuid`'s status row. Register before reading the row, so
    /// that a change between the read and the wait is not missed.
    public func watching<Result: Sendable>(_ uuid: UUID, _ body: (PlanStatusWatch) async throws -> Result) async rethrows -> Result {
        let waiter = Waiter()
        let id = state.withLock { state in
            state.nextID += 1
            state.waiters[uuid, default: [:]][state.nextID] = waiter
            return state.nextID
        }
        defer {
            state.withLock { state in
                state.waiters[uuid]?[id] = nil
                if state.waiters[uuid]?.isEmpty == true { state.waiters[uuid] = nil }
            }
        }
        return try await body(PlanStatusWatch(waiter: waiter))
    }

    /// How many requests wait now (for metrics and tests).
    public var waitingCount: Int { state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } } }

    /// Wakes the plan's waiters when the change made it final (or says no state): waiters want
    /// the outcome, and a burst of plans in progress must not cost a read per step and waiter.
    private func deliver(_ payload: String) {
        guard let (uuid, newState) = PlanStatusNotification.parse(payload), newState?.isFinal ?? true else { return }
        let waiters = state.withLock { Array(($0.waiters[uuid] ?? [:]).values) }
        for waiter in waiters { waiter.signal() }
    }

    /// A new LISTEN wakes every waiter: notifications sent while there was none are lost.
    private func listening(_ now: Bool) {
        let waiters = state.withLock { state -> [Waiter] in
            let wasListening = state.isListening
            state.isListening = now
            return now && !wasListening ? state.waiters.values.flatMap(\.values) : []
        }
        if now { logger.debug("LISTEN plan_status in place", metadata: ["waiters.woken": "\(waiters.count)"]) }
        for waiter in waiters { waiter.signal() }
    }
}

/// A request's interest in one plan's status row.
public struct PlanStatusWatch: Sendable {
    let waiter: Waiter

    /// Waits until the row may have become final (a notification that it did, or the listener
    /// reconnected) and returns true, or returns false at `deadline`. A change that came since
    /// the last call returns at once.
    public func change(before deadline: ContinuousClock.Instant) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await waiter.next() }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

/// One waiting request: a signal that is remembered until the request next waits.
final class Waiter: Sendable {
    private let state = Mutex<(signaled: Bool, continuation: CheckedContinuation<Bool, Never>?)>((false, nil))

    func signal() {
        let continuation = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let continuation = state.continuation else {
                state.signaled = true
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: true)
    }

    /// True at the next signal; false when the waiting task is cancelled.
    func next() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let signaled = state.withLock { state -> Bool? in
                    if state.signaled {
                        state.signaled = false
                        return true
                    }
                    if Task.isCancelled { return false }
                    state.continuation = continuation
                    return nil
                }
                if let signaled { continuation.resume(returning: signaled) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(returning: false)
        }
    }
}
