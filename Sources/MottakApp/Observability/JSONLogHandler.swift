import Domain
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One JSON object per log line, for NAIS's log pipeline (Loki / Elastic parse it without a
/// pattern): `timestamp`, `level`, `message`, then the correlation fields when present (`role`,
/// `call_id`, `plan_uuid`, `trace_id`), then every other metadata value as a string, and the
/// logger's label and source module.
///
/// What a log line may hold is decided where it is logged: ids, states and error types, never
/// an identity number, a name or plan text (a test runs every fixture through the pipeline and
/// searches the log for their identity numbers).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    /// The correlation fields, written right after the message, in this order.
    static let leadingKeys = ["role", "call_id", "plan_uuid", "trace_id"]

    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }

        var line =
            "{\"timestamp\":\"\(JSONText.timestamp(Date()))\",\"level\":\"\(event.level.rawValue)\",\"message\":\(JSONText.string(event.message.description))"
        for key in Self.leadingKeys {
            if let value = merged.removeValue(forKey: key) { line += ",\(JSONText.string(key)):\(JSONText.string(Self.text(value)))" }
        }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += ",\(JSONText.string(key)):\(JSONText.string(Self.text(value)))"
        }
        line += ",\"logger\":\(JSONText.string(label)),\"source\":\(JSONText.string(event.source))}\n"
        write(line)
    }

    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }

    /// Writes whole lines to standard output, one `write(2)` at a time and unbuffered (a pod's
    /// stdout is a pipe: a buffered line would wait for the buffer to fill).
    public static let standardOutput: @Sendable (String) -> Void = { line in
        let bytes = Array(line.utf8)
        outputLock.withLock { _ in
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { buffer in
                    Glibc.write(STDOUT_FILENO, buffer.baseAddress! + written, buffer.count - written)
                }
                guard result > 0 else { return }
                written += result
            }
        }
    }

    private static let outputLock = Mutex(())
}
