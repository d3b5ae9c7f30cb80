import Foundation
import Maskinporten
import _CryptoExtras

/// A Maskinporten look-alike for development and tests: one RSA key, a JWKS document, and
/// tokens with Maskinporten's claims (`scope`, `consumer`, optional `supplier`), signed RS256.
public struct LocalMaskinportenIssuer: Sendable {
    public let issuer: String
    public let keyID: String
    private let key: _RSA.Signing.PrivateKey

    public init(issuer: String = "http://localhost/maskinporten/", keyID: String = "local-1") throws {
        self.issuer = issuer
        self.keyID = keyID
        self.key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    /// The JWKS document (`jwks_uri`) with the public half of the key.
    public func jwksDocument() throws -> Data {
        let primitives = try key.publicKey.getKeyPrimitives()
        let document: [String: Any] = [
            "keys": [[
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID,
                "n": Base64URL.encode(primitives.modulus), "e": Base64URL.encode(primitives.publicExponent),
            ]]
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
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
        var header: [String: Any] = ["alg": "RS256", "kid": keyID, "typ": "JWT"]
        for (name, value) in headerOverrides { header[name] = value is NSNull ? nil : value }
        let signingInput = "\(try Self.part(header)).\(try Self.part(claims))"
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return "\(signingInput).\(Base64URL.encode(signature.rawRepresentation))"
    }

    private static func part(_ object: [String: Any]) throws -> String {
        Base64URL.encode(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}
