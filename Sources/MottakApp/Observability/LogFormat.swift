import Domain
import Foundation
import Logging
import Synchronization

/// How log lines look: `json` (one object per line, production's default) or `text` (swift-log's
/// readable lines, `mottak-dev`'s default). `LOG_FORMAT` chooses.
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text

    /// Makes every logger of the process (ours and the libraries') use this format. Once per
    /// process, before the first logger is made.
    public func bootstrap(level: Logger.Level, extraMetadata: Logger.MetadataProvider? = nil) {
        let provider = extraMetadata.map { Logger.MetadataProvider.multiplex([Self.traceLogMetadata, $0]) } ?? Self.traceLogMetadata
        switch self {
        case .json:
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = JSONLogHandler(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }, metadataProvider: provider)
        case .text:
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }, metadataProvider: provider)
        }
    }

    /// `trace_id` of the request or message in hand (``TraceLogContext``).
    public static let traceLogMetadata = Logger.MetadataProvider {
        TraceLogContext.traceID.map { ["trace_id": "\($0)"] } ?? [:]
    }
}
