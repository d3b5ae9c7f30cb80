import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// NAV's call id: `Nav-Call-Id` from the request when it is a sensible value, else a new UUID.
/// It is in the request's log metadata and echoed in the response (also on errors), so an LPS
/// can quote it and we can find every log line of that request.
public struct CallIDMiddleware: RouterMiddleware {
    public typealias Context = ApiRequestContext

    public static let headerName = HTTPField.Name("Nav-Call-Id")!

    public init() {}

    public func handle(
        _ request: Request, context: ApiRequestContext, next: (Request, ApiRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.callID = Self.acceptable(request.headers[Self.headerName]) ?? UUID().lowercasedString
        context.logger[metadataKey: "call_id"] = "\(context.callID)"
        var response = try await next(request, context)
        response.headers[Self.headerName] = context.callID
        return response
    }

    /// Non-empty, at most 200 visible ASCII characters: a call id ends up in logs and headers,
    /// so nothing that could forge a log line or a header gets through.
    static func acceptable(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 200,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }
        return value
    }
}
