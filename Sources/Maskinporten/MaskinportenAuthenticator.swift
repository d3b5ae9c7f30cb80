import Domain
import Foundation
import TokenVerification

/// Authenticates an LPS request: reads the bearer token, verifies it against Maskinporten's
/// current keys, and refetches the keys once (rate-limited) when the token names a key we do
/// not have yet.
public struct MaskinportenAuthenticator: Sendable {
    public let keys: IssuerKeys
    public let requiredScope: String
    public let leeway: Duration
    private let verified = VerifiedTokenCache<MaskinportenToken>()

    public init(keys: IssuerKeys, requiredScope: String = "nav:oppfolgingsplan/lps.write", leeway: Duration = .seconds(30)) {
        self.keys = keys
        self.requiredScope = requiredScope
        self.leeway = leeway
    }

    /// The caller's organisations from the `Authorization` header's value.
    ///
    /// Throws an ``ApiError`` (401) when the token is not acceptable, and
    /// ``IssuerKeysUnavailable`` or a transport error when we cannot tell (503).
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

    /// The token of a `Bearer <token>` header, or the bare token (``SignedJWT/bearerToken(_:missing:bareTokenAllowed:)``).
    static func bearerToken(_ authorization: String?) throws(ApiError) -> String {
        try SignedJWT.bearerToken(
            authorization, missing: "Missing Authorization header: send a Maskinporten token as 'Bearer <token>'", bareTokenAllowed: true)
    }
}
