import Hummingbird

/// Kubernetes' probes. Liveness says only that the process serves HTTP (restarting a pod never
/// fixes a database outage); readiness says whether its dependencies answer.
struct HealthRoutes {
    let readiness: ReadinessProbe

    func register(on router: Router<some RequestContext>) {
        router.get("/internal/is_alive") { _, _ in
            "alive"
        }
        router.get("/internal/is_ready") { _, _ in
            let report = await readiness.check()
            let body = ReadinessBody(
                status: report.isReady ? "UP" : "DOWN",
                checks: report.checks.mapValues { ReadinessBody.Check(status: $0 == nil ? "UP" : "DOWN", problem: $0) })
            return EditedResponse(status: report.isReady ? .ok : .serviceUnavailable, response: body)
        }
    }
}
