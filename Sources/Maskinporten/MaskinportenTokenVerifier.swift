import Domain
import Foundation
import TokenVerification

/// Verifies a Maskinporten access token (a JWT) and reads the caller's organisations from it.
///
/// Order: shape, algorithm, key, signature (``SignedJWT``), and only then the claims, so
/// nothing in an unverified token is trusted. Time claims allow `leeway` of clock skew. Every failure is a 401 `AUTHENTICATION_ERROR`
/// with a precise message; an expired token says `JWT is expired`, as the public docs promise.
public struct MaskinportenTokenVerifier: Sendable {
    public var issuer: String
    public var requiredScope: String
    public var leeway: Duration

    public init(issuer: String, requiredScope: String = "nav:oppfolgingsplan/lps.write", leeway: Duration = .seconds(30)) {
        self.issuer = issuer
        self.requiredScope = requiredScope
        self.leeway = leeway
    }

    /// Whether a failure may mean the issuer rotated its keys (worth one JWKS refetch).
    public static func isUnknownKey(_ error: ApiError) -> Bool { SignedJWT.isUnknownKey(error) }

    public func verify(_ token: String, keys: JSONWebKeySet, now: Date) throws(ApiError) -> MaskinportenToken {
        let claims = try SignedJWT.verifiedClaims(of: token, keys: keys)
        let expiresAt = try SignedJWT.checkTimes(claims, now: now, leeway: leeway)
        guard claims["iss"] as? String == issuer else { throw .authentication("Invalid issuer in JWT") }
        guard let scope = claims["scope"] as? String else { throw .authentication("Missing scope claim in JWT") }
        let scopes = scope.split(separator: " ").map(String.init)
        guard scopes.contains(requiredScope) else { throw .authentication("Invalid scope in JWT: \(requiredScope) is required") }
        guard claims["consumer"] != nil else { throw .authentication("Missing consumer claim in JWT") }
        guard let employer = Self.organisationNumber(claims["consumer"]) else {
            throw .authentication("Invalid consumer claim in JWT: expected ID 0192:<9-digit organisation number>")
        }
        var lps = employer
        if claims["supplier"] != nil {
            guard let supplier = Self.organisationNumber(claims["supplier"]) else {
                throw .authentication("Invalid supplier claim in JWT: expected ID 0192:<9-digit organisation number>")
            }
            lps = supplier
        }
        return MaskinportenToken(employerOrgNumber: employer, lpsOrgNumber: lps, scopes: scopes, expiresAt: expiresAt)
    }

    /// `{"authority":"iso6523-actorid-upis","ID":"0192:123456789"}` → `123456789`.
    static func organisationNumber(_ claim: Any?) -> String? {
        guard let claim = claim as? [String: Any], let id = claim["ID"] as? String else { return nil }
        let parts = id.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "0192", parts[1].utf8.count == 9,
            parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return String(parts[1])
    }
}
