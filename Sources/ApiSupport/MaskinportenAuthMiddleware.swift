import Domain
import HTTPTypes
import Hummingbird
import Logging
import Maskinporten

/// Lets a request through only with a valid Maskinporten token, and puts the token's
/// organisations in the context. A token we refuse is a 401 ApiError saying why; when we
/// cannot check tokens at all (Maskinporten unreachable and no cached keys) it is a 503:
/// the caller's token may be fine, and a 401 would send them hunting for a problem they do
/// not have.
public struct MaskinportenAuthMiddleware: RouterMiddleware {
    public typealias Context = ApiRequestContext

    let authenticator: MaskinportenAuthenticator

    public init(authenticator: MaskinportenAuthenticator) {
        self.authenticator = authenticator
    }

    public func handle(
        _ request: Request, context: ApiRequestContext, next: (Request, ApiRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        do {
            context.token = try await authenticator.authenticate(authorization: request.headers[.authorization])
        } catch let error as ApiError {
            throw error
        } catch {
            context.logger.error("cannot verify Maskinporten tokens", metadata: ["error": "\(error)"])
            throw ApiError.tokenVerificationUnavailable
        }
        // The organisations are not added to the request's logger here: each metadata change
        // re-renders the handler's metadata, a measurable cost per request. Handlers log them
        // where they matter.
        return try await next(request, context)
    }
}
