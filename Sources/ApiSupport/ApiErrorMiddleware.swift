import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns every failure of a route into an ``ApiError`` response, so that no caller ever sees
/// another error shape. Errors we did not anticipate become a generic 500 naming the call id;
/// their details go to the log only (the Kotlin service leaked exception texts).
public struct ApiErrorMiddleware: RouterMiddleware {
    public typealias Context = ApiRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: ApiRequestContext, next: (Request, ApiRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ApiError {
            log(error, request: request, context: context)
            return Self.response(error)
        } catch let error as any HTTPResponseError {
            let apiError = Self.apiError(for: error.status, callID: context.callID)
            log(apiError, request: request, context: context)
            return Self.response(apiError)
        } catch {
            context.logger.error(
                "unexpected error",
                metadata: ["error": "\(type(of: error)): \(error)", "path": "\(request.uri.path)", "method": "\(request.method)"])
            return Self.response(.internalServerError(callID: context.callID))
        }
    }

    /// The JSON body of `error` with its status; a 401 also says which scheme we expect.
    public static func response(_ error: ApiError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if error.status.value == 401 { headers[.wwwAuthenticate] = "Bearer" }
        let body = error.jsonBody
        return Response(
            status: HTTPResponse.Status(code: error.status.value),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Hummingbird's own errors (unknown route, wrong method, body too large) as ApiErrors.
    static func apiError(for status: HTTPResponse.Status, callID: String) -> ApiError {
        switch status.code {
        case 404: ApiError(status: 404, type: .notFound, message: "Not found")
        case 405: ApiError(status: 405, type: .badRequest, message: "Method not allowed")
        case 413: .bodyTooLarge
        case 400..<500: ApiError(status: status.code, type: .badRequest, message: status.reasonPhrase)
        default: .internalServerError(callID: callID)
        }
    }

    private func log(_ error: ApiError, request: Request, context: ApiRequestContext) {
        let metadata: Logger.Metadata = [
            "status": "\(error.status.value)", "type": "\(error.type.rawValue)", "message": "\(error.message)",
            "path": "\(request.uri.path)",
        ]
        if error.status.value >= 500 {
            context.logger.error("request failed", metadata: metadata)
        } else {
            context.logger.info("request refused", metadata: metadata)
        }
    }
}
