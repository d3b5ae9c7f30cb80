import Domain
import HTTPTypes
import Hummingbird
import Tracing

/// Puts the request's trace id (from its `traceparent`) on every log line of the request.
public struct TraceLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let traceID = TraceLogContext.traceID(ofTraceparent: request.headers[HTTPField.Name("traceparent")!]) else {
            return try await next(request, context)
        }
        return try await TraceLogContext.$traceID.withValue(traceID) { try await next(request, context) }
    }
}
