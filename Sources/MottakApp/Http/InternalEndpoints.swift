import Hummingbird
import Logging

/// The probes and metrics on a port of their own (`INTERNAL_PORT`), which only the kubelet and
/// Prometheus reach: NAIS's ingress publishes the API's port, and an operator's view of the
/// process (its dependencies' state, every metric) is nobody else's business. Without the
/// API's middleware: a probe is neither an API request nor counted as one.
enum InternalEndpoints {
    static func application(
        health: HealthRoutes, metrics: MetricsRoutes, host: String, port: Int, onBound: @escaping @Sendable (Int) async -> Void, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        health.register(on: router)
        metrics.register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                await onBound(channel.localAddress?.port ?? port)
                logger.notice(
                    "Probes and metrics listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger)
    }
}
