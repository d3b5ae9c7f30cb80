import Domain
import HTTPTypes
import Hummingbird

/// 405 Method Not Allowed, with `Allow`, for a method a known path does not serve (RFC 9110
/// 15.5.6), instead of the 404 an unknown path gets. Registered without authentication: the
/// answer says nothing about any plan.
public enum MethodNotAllowedRoutes {
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, HTTPRequest.Method("TRACE")!]

    public static func register(_ allowed: [String: [HTTPRequest.Method]], on router: Router<ApiRequestContext>) {
        for (path, served) in allowed {
            let allow = served.map(\.rawValue).joined(separator: ", ")
            for method in methods where !served.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ in
                    var response = ApiErrorMiddleware.response(
                        ApiError(status: 405, type: .badRequest, message: "Method not allowed: \(path) answers \(allow)"))
                    response.headers[.allow] = allow
                    return response
                }
            }
        }
    }
}
