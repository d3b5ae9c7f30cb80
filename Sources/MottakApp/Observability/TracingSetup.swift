import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry tracing, off unless configured: with `OTEL_EXPORTER_OTLP_ENDPOINT` (or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set and `OTEL_SDK_DISABLED` not `true`, spans are
/// exported over OTLP/HTTP (protobuf) in batches; the other `OTEL_*` variables of the
/// specification (sampler, headers, resource attributes) apply. NAIS sets these when the
/// application enables tracing. Logs and metrics stay ours (JSON lines, Prometheus).
public enum TracingSetup {
    /// The exporter's service (run it first, so it flushes last), or nil when tracing is off.
    public static func bootstrapIfConfigured(_ environment: [String: String]) throws -> (any Service)? {
        guard environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil,
            environment["OTEL_SDK_DISABLED"]?.lowercased() != "true"
        else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = environment["OTEL_SERVICE_NAME"] ?? "oppfolgingsplan-mottak"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        return service
    }

    /// The trace and span ids of the current span on every log line (with tracing on).
    static var loggingMetadataProvider: Logger.MetadataProvider { OTel.makeLoggingMetadataProvider() }
}
