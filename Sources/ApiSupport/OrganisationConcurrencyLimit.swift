import Domain
import Hummingbird
import Logging
import Maskinporten
import Synchronization

/// At most `limit` requests of one LPS (the token's supplier, or its consumer when it acts for
/// itself) at work at once in this process; one more is answered 503 at once, before it takes
/// a database connection or a waiting slot. One system's burst (or a retry storm) then cannot
/// take every connection of a replica from the others. Per process: NAIS's replicas each count
/// their own, so the service as a whole allows replicas × `limit`.
///
/// Behind ``MaskinportenAuthMiddleware`` (it needs the token).
public struct OrganisationConcurrencyLimit: RouterMiddleware {
    public typealias Context = ApiRequestContext

    let limit: Int
    private let inFlight: InFlight

    public init(limit: Int) {
        self.limit = limit
        self.inFlight = InFlight()
    }

    public func handle(
        _ request: Request, context: ApiRequestContext, next: (Request, ApiRequestContext) async throws -> Response
    ) async throws -> Response {
        let organisation = try context.requireToken().lpsOrgNumber
        guard inFlight.enter(organisation, limit: limit) else {
            context.logger.warning(
                "an LPS has too many requests at work; refused", metadata: ["lps_org": "\(organisation)", "limit": "\(limit)"])
            throw ApiError.tooManyConcurrentRequests(limit: limit)
        }
        defer { inFlight.leave(organisation) }
        return try await next(request, context)
    }

    /// Requests at work per organisation; an organisation with none has no entry.
    final class InFlight: Sendable {
        private let counts = Mutex<[String: Int]>([:])

        func enter(_ organisation: String, limit: Int) -> Bool {
            counts.withLock { counts in
                let now = counts[organisation, default: 0]
                guard now < limit else { return false }
                counts[organisation] = now + 1
                return true
            }
        }

        func leave(_ organisation: String) {
            counts.withLock { counts in
                let now = counts[organisation, default: 1] - 1
                counts[organisation] = now > 0 ? now : nil
            }
        }
    }
}
