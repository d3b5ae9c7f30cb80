import Logging
import ServiceLifecycle
import Synchronization

/// Whether the process has been asked to stop (SIGTERM). Readiness answers 503 from then on.
public final class ShutdownAnnouncement: Sendable {
    private let announced = Mutex(false)

    public init() {}

    public var isAnnounced: Bool { announced.withLock { $0 } }

    func announce() { announced.withLock { $0 = true } }
}

/// The first part of a graceful shutdown: readiness says 503 and the process keeps serving for
/// `drain`, so that Kubernetes takes the pod out of the Service's endpoints before the HTTP
/// server stops accepting connections; then the rest of the process shuts down (HTTP drains,
/// consumers finish the message in hand and leave their groups, the producer flushes).
///
/// Runs last in the process's service group, so it is the first told to shut down.
struct ShutdownAnnouncer: Service {
    let announcement: ShutdownAnnouncement
    let drain: Duration
    /// Armed when the shutdown begins (``MottakApplication/run`` disarms it once the process
    /// has stopped); nil in tests that run the announcer inside the test process.
    var watchdog: ShutdownWatchdog? = nil
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        announcement.announce()
        watchdog?.arm()
        logger.notice("shutting down: not ready any more; serving for the drain period", metadata: ["drain": "\(drain)"])
        // Cancellation (a second signal) cuts the drain short.
        try? await Task.sleep(for: drain)
    }
}
