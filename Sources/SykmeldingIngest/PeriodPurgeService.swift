import Logging
import ServiceLifecycle
import Storage

/// Deletes, once an hour, periods that ended more than 15 days ago: they can no longer make a
/// sykmelding active, and the table holds health-adjacent data we should not keep longer than
/// needed. Several replicas purging at once do no harm.
public struct PeriodPurgeService: Service {
    let store: SykmeldingPeriods
    let interval: Duration
    let logger: Logger

    public init(store: SykmeldingPeriods, interval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let purged = try await store.purgeEnded()
                if purged > 0 { logger.info("purged ended sykmelding periods", metadata: ["periods": "\(purged)"]) }
            } catch {
                logger.warning("could not purge ended sykmelding periods", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
