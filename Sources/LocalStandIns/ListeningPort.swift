import Synchronization

/// The port a local server listens on, for callers that ask before the server knows it (it is
/// known once the server is bound, which may be after a client needs its URL).
final class ListeningPort: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    func announce(_ port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func wait() async -> Int {
        await withCheckedContinuation { continuation in
            let known: Int? = state.withLock { state in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }
}
