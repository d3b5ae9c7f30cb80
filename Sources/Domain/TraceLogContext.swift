/// The trace id of the work in progress, for log lines: set while a request or a Kafka message
/// is handled, read by the log handler's metadata provider (`trace_id`), so that every line of
/// one plan's trace can be found, also when no tracer exports spans.
public enum TraceLogContext {
    @TaskLocal public static var traceID: String?
}
