/// Thrown by ``withTimeout(_:operation:)`` when the operation did not finish in time.
struct TimeoutError: Error, CustomStringConvertible {
    let duration: Duration
    var description: String { "no answer within \(duration)" }
}

/// Runs `operation`, cancelling it and throwing ``TimeoutError`` after `duration`.
///
/// The operation must honour cancellation (postgres-nio's connection lease does); a blocking
/// call would keep its thread, though not the caller, until it returns.
func withTimeout<T: Sendable>(_ duration: Duration, operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw TimeoutError(duration: duration)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
