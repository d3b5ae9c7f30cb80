/// Waits until `condition` holds, polling every `poll`; past `timeout` it throws an error that
/// names `what`. The one deadline loop of the tests: a condition that is met ends the wait at
/// once, one that never is fails the test with a sentence instead of hanging it.
public func eventually(
    _ what: String, timeout: Duration = .seconds(60), poll: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw MissingTestService(description: "timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: poll)
    }
}
