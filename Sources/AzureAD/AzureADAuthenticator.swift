import Domain
import Foundation
import TokenVerification

/// Authenticates a case worker's request: reads the bearer token, verifies it against Azure
/// AD's current keys (``IssuerKeys``: cached, refreshed in the background, refetched once,
/// rate-limited, for an unknown key id) and remembers verified tokens until they expire.
public struct AzureADAuthenticator: Sendable {
    public let keys: IssuerKeys
    public let clientID: String
    public let leeway: Duration
    private let verified = VerifiedTokenCache<NavStaffToken>()

    public init(keys: IssuerKeys, clientID: String, leeway: Duration = .seconds(30)) {
        self.keys = keys
        self.clientID = clientID
        self.leeway = leeway
    }

    /// The case worker behind the `Authorization` header's value.
    ///
    /// Throws an ``ApiError`` (401) when the token is not acceptable, and
    /// ``IssuerKeysUnavailable`` or a transport error when we cannot tell (503).
    public func authenticate(authorization: String?, now: Date = Date()) async throws -> NavStaffToken {
        let token = try SignedJWT.bearerToken(
            authorization, missing: "Missing Authorization header: send an Azure AD token for NAV staff as 'Bearer <token>'",
            bareTokenAllowed: false)
        if let known = verified.token(for: token, now: now, leeway: leeway) { return known }
        let snapshot = try await keys.current()
        // A token of another issuer (an LPS's Maskinporten token, say) is named as such, and
        // never makes us refetch Azure AD's keys for a key id it could not have.
        if let claimed = SignedJWT.unverifiedClaims(of: token)?["iss"] as? String, claimed != snapshot.issuer {
            throw ApiError.authentication("Invalid issuer in JWT: this route takes Azure AD tokens for NAV staff")
        }
        let result: NavStaffToken
        do {
            result = try verifier(snapshot.issuer).verify(token, keys: snapshot.keys, now: now)
        } catch  where SignedJWT.isUnknownKey(error) {
            guard let fresh = try await keys.refetchForUnknownKey() else { throw error }
            result = try verifier(fresh.issuer).verify(token, keys: fresh.keys, now: now)
        }
        verified.remember(result, for: token, now: now, leeway: leeway)
        return result
    }

    private func verifier(_ issuer: String) -> AzureADTokenVerifier {
        AzureADTokenVerifier(issuer: issuer, clientID: clientID, leeway: leeway)
    }
}
