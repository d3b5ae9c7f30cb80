import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

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
    /// `SHUTDOWN_GRACE_SECONDS`: with the drain and a margin, the longest any shutdown may take.
    let grace: Duration
    let logger: Logger

    /// Past the grace the service group cancels what is left, but a call blocked in librdkafka
    /// or waiting on a vanished PostgreSQL does not answer cancellation: a shutdown whose Kafka
    /// and database went away could hang for minutes. The watchdog ends the process instead
    /// (unfinished messages are handled again by the next member; nothing was marked done).
    static let watchdogMargin: Duration = .seconds(5)

    func run() async throws {
        try? await gracefulShutdown()
        announcement.announce()
        let limit = drain + grace + Self.watchdogMargin
        Task.detached { [logger] in
            try? await Task.sleep(for: limit)
            logger.critical(
                "shutdown took longer than the drain, SHUTDOWN_GRACE_SECONDS and a margin; exiting now", metadata: ["limit": "\(limit)"])
            _exit(70)
        }
        logger.notice("shutting down: not ready any more; serving for the drain period", metadata: ["drain": "\(drain)"])
        // Cancellation (a second signal) cuts the drain short.
        try? await Task.sleep(for: drain)
    }
}
