import Foundation

/// An Azure AD (Entra ID) look-alike for NAV staff, for development and tests: tokens with the
/// claims Azure AD v2.0 puts in a signed-in case worker's token (`NAVident`, `name`, `oid`,
/// `azp_name`, `scp`), signed RS256, for an audience (our `AZURE_APP_CLIENT_ID`). Served with
/// its OpenID configuration and JWKS by ``LocalNavServer`` under `/azuread`, whose token
/// endpoint also does the on-behalf-of exchange.
public struct LocalAzureADIssuer: Sendable {
    public let issuer: String
    public let key: LocalSigningKey

    /// Azure AD's issuer shape, with a made-up tenant.
    public static let defaultIssuer = "http://localhost/local-azuread/00000000-0000-0000-0000-000000000000/v2.0"
    /// The application id `mottak-dev` gives itself (`AZURE_APP_CLIENT_ID`).
    public static let localClientID = "local-mottak"
    /// Modia's application, as `azp_name` names it.
    public static let modia = "dev-gcp:teamsykefravr:syfomodiaperson"

    public init(issuer: String = defaultIssuer, keyID: String = "local-azuread-1") throws {
        self.issuer = issuer
        self.key = try LocalSigningKey(keyID: keyID)
    }

    /// An issuer whose key lives in `keyFile`, shared by `mottak-dev` and `mottak-dev token --veileder`.
    public init(keyFile: URL, issuer: String = defaultIssuer, keyID: String = "local-azuread-dev") throws {
        self.issuer = issuer
        self.key = try LocalSigningKey(keyFile: keyFile, keyID: keyID)
    }

    /// A case worker's token (as Modia's on-behalf-of exchange gives it) for `audience`.
    /// `claims` overrides or removes (`NSNull`) any default claim, for tests of bad tokens.
    public func token(
        navIdent: String, audience: String = localClientID, issuedAt: Date = Date(), lifetime: TimeInterval = 3_600,
        claims overrides: [String: Any] = [:]
    ) throws -> String {
        let now = issuedAt.timeIntervalSince1970.rounded(.down)
        var claims: [String: Any] = [
            "iss": issuer, "aud": audience, "iat": now, "nbf": now, "exp": now + lifetime.rounded(.down), "ver": "2.0",
            "NAVident": navIdent, "name": "Vera Veileder", "oid": "local-oid-\(navIdent)", "sub": "local-\(navIdent)", "azp_name": Self.modia,
            "azp": "local-syfomodiaperson", "scp": "defaultaccess",
            "tid": "00000000-0000-0000-0000-000000000000",
        ]
        for (name, value) in overrides { claims[name] = value is NSNull ? nil : value }
        return try key.sign(claims)
    }
}
