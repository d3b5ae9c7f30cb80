import Domain
import Foundation
import TokenVerification

/// Verifies a NAV employee's Azure AD (Entra ID) token as NAIS provides the issuer: the
/// signature (``SignedJWT``: RS256, known key), the time claims with `leeway`, the issuer the
/// well-known document (`AZURE_APP_WELL_KNOWN_URL`) names, and an audience that names
/// this application (`AZURE_APP_CLIENT_ID`, domain-reference.md 3.2).
///
/// Beyond the original, the token must name a person: a `NAVident` claim, which Azure AD puts
/// in the on-behalf-of tokens Modia sends for a signed-in case worker. An application's own
/// client-credentials token has none, and the audit log needs a *who*.
public struct AzureADTokenVerifier: Sendable {
    public var issuer: String
    public var clientID: String
    public var leeway: Duration

    public init(issuer: String, clientID: String, leeway: Duration = .seconds(30)) {
        self.issuer = issuer
        self.clientID = clientID
        self.leeway = leeway
    }

    public func verify(_ token: String, keys: JSONWebKeySet, now: Date) throws(ApiError) -> NavStaffToken {
        let claims = try SignedJWT.verifiedClaims(of: token, keys: keys)
        let expiresAt = try SignedJWT.checkTimes(claims, now: now, leeway: leeway)
        guard claims["iss"] as? String == issuer else { throw .authentication("Invalid issuer in JWT") }
        // RFC 7519 4.1.3: one audience as a string, or several as an array.
        let audiences = (claims["aud"] as? [String]) ?? (claims["aud"] as? String).map { [$0] } ?? []
        guard audiences.contains(clientID) else { throw .authentication("Invalid audience in JWT: the token is not for this application") }
        guard let navIdent = claims["NAVident"] as? String, Self.isNavIdent(navIdent) else {
            throw .authentication("The token names no NAV employee (NAVident claim): only case workers signed in to Modia may call this route")
        }
        return NavStaffToken(navIdent: navIdent, encoded: token, expiresAt: expiresAt)
    }

    /// A letter and six digits (`Z990000`), the shape of every NAV ident.
    static func isNavIdent(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 7 && (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[0])
            && bytes.dropFirst().allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
