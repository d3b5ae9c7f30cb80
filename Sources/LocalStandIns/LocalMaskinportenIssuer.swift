import Foundation
import Maskinporten
import _CryptoExtras

/// A Maskinporten look-alike for development and tests: one RSA key, a JWKS document, and
/// tokens with Maskinporten's claims (`scope`, `consumer`, optional `supplier`), signed RS256.
public struct LocalMaskinportenIssuer: Sendable {
    public let issuer: String
    public let keyID: String
    private let key: _RSA.Signing.PrivateKey

    /// The issuer string that `mottak-dev` and the tests use unless they say otherwise.
    public static let defaultIssuer = "http://localhost/local-maskinporten/"

    /// An issuer with a new key, kept in memory only.
    public init(issuer: String = defaultIssuer, keyID: String = "local-1") throws {
        self.issuer = issuer
        self.keyID = keyID
        self.key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    /// An issuer whose key lives in `keyFile` (PEM), created there on first use. `mottak-dev`
    /// and `mottak-dev token` share it, so a token minted once keeps working across restarts.
    public init(keyFile: URL, issuer: String = defaultIssuer, keyID: String = "local-dev") throws {
        self.issuer = issuer
        self.keyID = keyID
        if let pem = try? String(contentsOf: keyFile, encoding: .utf8) {
            self.key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } else {
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            try FileManager.default.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(key.pemRepresentation.utf8).write(to: keyFile, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
            self.key = key
        }
    }

    /// The JWKS document (`jwks_uri`) with the public half of the key.
    public func jwksDocument() throws -> Data {
        try Self.jwksDocument(of: [self])
    }

    /// One JWKS document with the public keys of several issuers (a rotation in progress).
    public static func jwksDocument(of issuers: [LocalMaskinportenIssuer]) throws -> Data {
        let keys = try issuers.map { issuer -> [String: Any] in
            let primitives = try issuer.key.publicKey.getKeyPrimitives()
            return [
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": issuer.keyID,
                "n": Base64URL.encode(primitives.modulus), "e": Base64URL.encode(primitives.publicExponent),
            ]
        }
        return try JSONSerialization.data(withJSONObject: ["keys": keys], options: [.sortedKeys])
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
