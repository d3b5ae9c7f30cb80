import Hummingbird
import NIOCore
import Prometheus

/// `GET /internal/metrics`: the process's metrics in Prometheus' text format.
struct MetricsRoutes {
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<some RequestContext>) {
        router.get("/internal/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
