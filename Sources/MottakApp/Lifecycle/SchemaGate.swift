import Foundation
import ServiceLifecycle
import Synchronization

/// Opens once the schema is current, so roles that use tables do not start before the
/// migrations they need (which run as a service beside them) have been applied.
///
/// A waiter whose task is cancelled (the process shuts down because a migration failed) stops
/// waiting at once; it must then check cancellation before it touches the tables.
final class SchemaGate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    init(open: Bool = false) {
        if open { self.open() }
    }

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Runs `service` once the schema is current; if the process shuts down first, it never runs.
struct AfterSchema: Service, CustomStringConvertible {
    let gate: SchemaGate
    let service: any Service
    var description: String { "AfterSchema(\(service))" }

    func run() async throws {
        await cancelWhenGracefulShutdown { await gate.wait() }
        if Task.isShuttingDownGracefully || Task.isCancelled { return }
        try await service.run()
    }
}
