import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

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
