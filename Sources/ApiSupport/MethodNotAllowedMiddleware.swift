import Domain
import HTTPTypes
import Hummingbird

/// 405 Method Not Allowed, with `Allow`, for any method a known path does not serve (RFC 9110
/// 15.5.6), instead of the 404 an unknown path gets. A middleware rather than routes per method,
/// so that every method is covered, also ones the router has never heard of (`QUERY`, invented
/// ones; schemathesis found `QUERY` answered 404). Runs before authentication: the answer says
/// nothing about any plan.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Path templates (`{name}` matches one segment) and the methods each serves.
    let served: [(template: [Substring], methods: [HTTPRequest.Method])]

    public init(_ served: [String: [HTTPRequest.Method]]) {
        self.served = served.sorted { $0.key < $1.key }.map { (Self.segments($0.key), $0.value) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = Self.segments(request.uri.path)
        guard let route = served.first(where: { Self.matches(path, $0.template) }), !route.methods.contains(request.method) else {
            return try await next(request, context)
        }
        let allow = route.methods.map(\.rawValue).joined(separator: ", ")
        var response = ApiErrorMiddleware.response(
            ApiError(status: 405, type: .badRequest, message: "Method not allowed: \(request.uri.path) answers \(allow)"))
        response.headers[.allow] = allow
        return response
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func matches(_ path: [Substring], _ template: [Substring]) -> Bool {
        path.count == template.count && zip(path, template).allSatisfy { $1.first == "{" || $0 == $1 }
    }
}
