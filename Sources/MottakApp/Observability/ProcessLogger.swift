import Logging
import Synchronization

/// The process's logger; the first call also sets the log format (`LOG_FORMAT`) for every
/// logger of the process, the libraries' included.
public func makeLogger(_ configuration: AppConfiguration, tracing: Bool = false) -> Logger {
    loggingBootstrap.withLock { done in
        guard !done else { return }
        configuration.logFormat.bootstrap(level: configuration.logLevel, extraMetadata: tracing ? TracingSetup.loggingMetadataProvider : nil)
        done = true
    }
    var logger = Logger(label: "mottak")
    logger.logLevel = configuration.logLevel
    return logger
}

private let loggingBootstrap = Mutex(false)
