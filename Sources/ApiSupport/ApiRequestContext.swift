import AzureAD
import Hummingbird
import Logging
import Maskinporten

/// The request context of every route: Hummingbird's core context plus what our middleware
/// learns about a request before its handler runs.
public struct ApiRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `Nav-Call-Id` from the request, or one we made up; echoed in the response and logged.
    public var callID: String
    /// The verified Maskinporten token; set by ``MaskinportenAuthMiddleware`` on LPS routes.
    public var token: MaskinportenToken?
    /// The verified NAV employee; set by ``AzureADAuthMiddleware`` on the case workers' routes.
    public var staff: NavStaffToken?

    public init(source: Source) {
        coreContext = .init(source: source)
        callID = ""
        token = nil
        staff = nil
    }

    /// The caller's organisations. Only LPS routes (behind the auth middleware) may ask.
    public func requireToken() throws -> MaskinportenToken {
        guard let token else { throw ApiSupportError.routeWithoutAuthentication }
        return token
    }

    /// The case worker. Only the case workers' routes (behind ``AzureADAuthMiddleware``) may ask.
    public func requireStaff() throws -> NavStaffToken {
        guard let staff else { throw ApiSupportError.staffRouteWithoutAuthentication }
        return staff
    }
}

enum ApiSupportError: Error, CustomStringConvertible {
    case routeWithoutAuthentication
    case staffRouteWithoutAuthentication

    var description: String {
        switch self {
        case .routeWithoutAuthentication: "an LPS route ran without MaskinportenAuthMiddleware in front of it"
        case .staffRouteWithoutAuthentication: "a case workers' route ran without AzureADAuthMiddleware in front of it"
        }
    }
}
