import Foundation

/// A Maskinporten look-alike for development and tests: one RSA key, a JWKS document, and
/// tokens with Maskinporten's claims (`scope`, `consumer`, optional `supplier`), signed RS256.
public struct LocalMaskinportenIssuer: Sendable {
    public let issuer: String
    public let key: LocalSigningKey
    public var keyID: String { key.keyID }

    /// The issuer string that `mottak-dev` and the tests use unless they say otherwise.
    public static let defaultIssuer = "http://localhost/local-maskinporten/"

    /// An issuer with a new key, kept in memory only.
    public init(issuer: String = defaultIssuer, keyID: String = "local-1") throws {
        self.issuer = issuer
        self.key = try LocalSigningKey(keyID: keyID)
    }

    /// An issuer whose key lives in `keyFile` (PEM), created there on first use. `mottak-dev`
    /// and `mottak-dev token` share it, so a token minted once keeps working across restarts.
    public init(keyFile: URL, issuer: String = defaultIssuer, keyID: String = "local-dev") throws {
        self.issuer = issuer
        self.key = try LocalSigningKey(keyFile: keyFile, keyID: keyID)
    }

    /// The JWKS document (`jwks_uri`) with the public half of the key.
    public func jwksDocument() throws -> Data {
        try Self.jwksDocument(of: [self])
    }

    /// One JWKS document with the public keys of several issuers (a rotation in progress).
    public static func jwksDocument(of issuers: [LocalMaskinportenIssuer]) throws -> Data {
        try LocalSigningKey.jwksDocument(of: issuers.map(\.key))
    }

    /// A token for `consumer` (the employer), optionally issued to a `supplier` acting for it.
    /// `claims` overrides or removes (`NSNull`) any default claim, for tests of bad tokens.
    public func token(
        consumer: String, supplier: String? = nil, scope: String = "nav:oppfolgingsplan/lps.write",
        issuedAt: Date = Date(), lifetime: TimeInterval = 120, claims overrides: [String: Any] = [:],
        header headerOverrides: [String: Any] = [:]
    ) throws -> String {
        var claims: [String: Any] = [
            "iss": issuer, "scope": scope, "client_id": "local-lps", "token_type": "Bearer",
            "iat": issuedAt.timeIntervalSince1970.rounded(.down),
            "exp": (issuedAt.timeIntervalSince1970 + lifetime).rounded(.down),
            "consumer": ["authority": "iso6523-actorid-upis", "ID": "0192:\(consumer)"],
        ]
        if let supplier { claims["supplier"] = ["authority": "iso6523-actorid-upis", "ID": "0192:\(supplier)"] }
        for (name, value) in overrides { claims[name] = value is NSNull ? nil : value }
        return try key.sign(claims, header: headerOverrides)
    }
}
