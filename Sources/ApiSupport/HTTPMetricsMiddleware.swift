import Foundation
import Hummingbird
import Metrics
import Synchronization

/// Counts every request and times it, per route template (`/api/v1/followupplan/{uuid}/sendingstatus`,
/// never the concrete path: one series per route, not per plan), method and status:
/// `mottak_http_requests_total` and `mottak_http_request_duration_seconds`. Put it outside
/// the ApiError middleware, so that the status counted is the one the caller got.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory
    /// The handles per series, made once: looking a metric up in the registry on every request
    /// costs a lock and a few allocations per request.
    let series = SeriesCache()

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            record(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started)
            throw error
        }
        record(request, context: context, status: response.status.code, since: started)
        return response
    }

    private func record(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let key = SeriesCache.Key(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status)
        let (counter, timer) = series.handles(for: key) {
            let dimensions = [("route", key.route), ("method", key.method), ("status", "\(key.status)")]
            return (
                Counter(label: "mottak_http_requests_total", dimensions: dimensions, factory: factory),
                Timer(label: "mottak_http_request_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
            )
        }
        counter.increment()
        timer.record(duration: ContinuousClock.now - started)
    }
}

/// The counter and timer of each (route, method, status) seen so far.
final class SeriesCache: Sendable {
    struct Key: Hashable, Sendable {
        var route: String
        var method: String
        var status: Int
    }

    private let handles = Mutex<[Key: (Counter, Timer)]>([:])

    func handles(for key: Key, make: () -> (Counter, Timer)) -> (Counter, Timer) {
        handles.withLock { handles in
            if let existing = handles[key] { return existing }
            let made = make()
            handles[key] = made
            return made
        }
    }
}
