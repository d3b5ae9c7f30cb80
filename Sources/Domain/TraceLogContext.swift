/// The trace id of the work in progress, for log lines: set while a request or a Kafka message
/// is handled, read by the log handler's metadata provider (`trace_id`), so that every line of
/// one plan's trace can be found, also when no tracer exports spans.
public enum TraceLogContext {
    @TaskLocal public static var traceID: String?

    /// The trace id of a W3C `traceparent` value (`00-<trace id>-<span id>-<flags>`).
    public static func traceID(ofTraceparent value: String?) -> String? {
        guard let parts = value?.split(separator: "-"), parts.count == 4, parts[1].count == 32 else { return nil }
        return String(parts[1])
    }
}
