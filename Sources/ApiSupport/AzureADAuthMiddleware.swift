import AzureAD
import Domain
import HTTPTypes
import Hummingbird
import Logging

/// Lets a request through only with a valid Azure AD token of a NAV employee, and puts the
/// employee in the context (the case workers' routes). As ``MaskinportenAuthMiddleware``: a
/// token we refuse is a 401 saying why; when we cannot check tokens at all it is a 503.
public struct AzureADAuthMiddleware: RouterMiddleware {
    public typealias Context = ApiRequestContext

    let authenticator: AzureADAuthenticator

    public init(authenticator: AzureADAuthenticator) {
        self.authenticator = authenticator
    }

    public func handle(
        _ request: Request, context: ApiRequestContext, next: (Request, ApiRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        do {
            context.staff = try await authenticator.authenticate(authorization: request.headers[.authorization])
        } catch let error as ApiError {
            throw error
        } catch {
            context.logger.error("cannot verify Azure AD tokens", metadata: ["error": "\(error)"])
            throw ApiError.staffTokenVerificationUnavailable
        }
        return try await next(request, context)
    }
}
