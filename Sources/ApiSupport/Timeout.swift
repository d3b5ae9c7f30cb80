import Synchronization

/// Thrown by ``withTimeout(_:operation:)`` when the operation did not finish in time.
public struct TimeoutError: Error, CustomStringConvertible {
    public let duration: Duration
    public var description: String { "no answer within \(duration)" }
}

/// Runs `operation` and returns its result, or throws ``TimeoutError`` at the deadline,
/// whichever comes first.
///
/// Unlike a task group, this returns at the deadline even when the operation cannot be
/// cancelled (a blocking librdkafka call on a thread pool): the operation is cancelled and left
/// to finish in the background. That is what a readiness probe needs, since Kubernetes gives
/// up on a probe after its own timeout, and what a request needs when its database does not
/// answer. Use it only for operations that end by themselves.
public func withTimeout<T: Sendable>(_ duration: Duration, operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.install(continuation)
        let work = Task {
            do { outcome.resume(with: .success(try await operation())) } catch { outcome.resume(with: .failure(error)) }
        }
        Task {
            try? await Task.sleep(for: duration)
            if outcome.resume(with: .failure(TimeoutError(duration: duration))) { work.cancel() }
        }
    }
}

/// Resumes a continuation with whichever result arrives first; later ones are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    /// True when this call resumed the continuation.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        guard
            let continuation = continuation.withLock({ value in
                defer { value = nil }
                return value
            })
        else { return false }
        continuation.resume(with: result)
        return true
    }
}
