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

/// Bounds a shutdown. Past `SHUTDOWN_GRACE_SECONDS` the service group cancels what is left, but
/// a call blocked in librdkafka or waiting on a vanished PostgreSQL does not answer
/// cancellation: a process whose Kafka and database went away could hang for minutes. Armed,
/// the watchdog ends the process after `limit` (drain + grace + a margin) unless disarmed
/// first. Unfinished messages are then handled again by the next member (nothing unfinished
/// was committed).
final class ShutdownWatchdog: Sendable {
    static let margin: Duration = .seconds(5)

    private let limit: Duration
    private let logger: Logger
    private let timer = Mutex<Task<Void, Never>?>(nil)

    init(limit: Duration, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    func arm() {
        timer.withLock { timer in
            guard timer == nil else { return }
            timer = Task.detached { [limit, logger] in
                do { try await Task.sleep(for: limit) } catch { return }
                logger.critical(
                    "shutdown took longer than the drain, SHUTDOWN_GRACE_SECONDS and a margin; exiting now", metadata: ["limit": "\(limit)"])
                _exit(70)
            }
        }
    }

    func disarm() {
        timer.withLock { $0 }?.cancel()
    }
}
