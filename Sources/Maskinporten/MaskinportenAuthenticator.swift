import Domain
import Foundation

/// Authenticates an LPS request: reads the bearer token, verifies it against Maskinporten's
/// current keys, and refetches the keys once (rate-limited) when the token names a key we do
/// not have yet.
public struct MaskinportenAuthenticator: Sendable {
    public let keys: MaskinportenKeys
    public let requiredScope: String
    public let leeway: Duration
    private let verified = VerifiedTokenCache()

    public init(keys: MaskinportenKeys, requiredScope: String = "nav:oppfolgingsplan/lps.write", leeway: Duration = .seconds(30)) {
        self.keys = keys
        self.requiredScope = requiredScope
        self.leeway = leeway
    }

    /// The caller's organisations from the `Authorization` header's value.
    ///
    /// Throws an ``ApiError`` (401) when the token is not acceptable, and
    /// ``MaskinportenKeysUnavailable`` or a transport error when we cannot tell (503).
    public func authenticate(authorization: String?, now: Date = Date()) async throws -> MaskinportenToken {
        let token = try Self.bearerToken(authorization)
        if let known = verified.token(for: token, now: now, leeway: leeway) { return known }
        let snapshot = try await keys.current()
        let result: MaskinportenToken
        do {
            result = try verifier(snapshot.issuer).verify(token, keys: snapshot.keys, now: now)
        } catch  where MaskinportenTokenVerifier.isUnknownKey(error) {
            guard let fresh = try await keys.refetchForUnknownKey() else { throw error }
            result = try verifier(fresh.issuer).verify(token, keys: fresh.keys, now: now)
        }
        verified.remember(result, for: token, now: now, leeway: leeway)
        return result
    }

    private func verifier(_ issuer: String) -> MaskinportenTokenVerifier {
        MaskinportenTokenVerifier(issuer: issuer, requiredScope: requiredScope, leeway: leeway)
    }

    /// `Bearer <token>` (the scheme is case-insensitive, RFC 7235), or the bare token: the
    /// existing service takes a header without a scheme as the token, and some LPS send it so
    /// (issue #15). Another scheme (`Basic …`) is refused.
    static func bearerToken(_ authorization: String?) throws(ApiError) -> String {
        guard let authorization, !authorization.isEmpty else {
            throw .authentication("Missing Authorization header: send a Maskinporten token as 'Bearer <token>'")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        if parts.count == 1, !authorization.contains("\t") { return authorization }
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .authentication("The Authorization header must be 'Bearer <token>'")
        }
        // Plain scanning: Foundation's trimmingCharacters costs several percent of a request.
        let token = parts[1].drop { $0 == " " || $0 == "\t" }
        let end = token.lastIndex { $0 != " " && $0 != "\t" }
        guard let end else { throw .authentication("The Authorization header has an empty bearer token") }
        return String(token[...end])
    }
}
