import Foundation
import _CryptoExtras

/// The RSA signing keys of an issuer, by key id, from its JWKS document (`jwks_uri`).
///
/// Keys that are not RSA signature keys are skipped: Maskinporten and Azure AD sign with RS256, and a
/// key we cannot use must not make the whole set unusable.
public struct JSONWebKeySet: Sendable {
    public let keys: [String: _RSA.Signing.PublicKey]

    public init(keys: [String: _RSA.Signing.PublicKey]) {
        self.keys = keys
    }

    /// Parses a JWKS document: `{"keys":[{"kty":"RSA","kid":"…","n":"…","e":"…"}]}`.
    public init(json: Data) throws {
        struct Document: Decodable {
            struct Key: Decodable {
                var kty: String
                var kid: String?
                var use: String?
                var n: String?
                var e: String?
            }
            var keys: [Key]
        }
        var keys: [String: _RSA.Signing.PublicKey] = [:]
        for key in try JSONDecoder().decode(Document.self, from: json).keys
        where key.kty == "RSA" && (key.use ?? "sig") == "sig" {
            guard let kid = key.kid, let n = key.n.flatMap(Base64URL.decode), let e = key.e.flatMap(Base64URL.decode),
                let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { continue }
            keys[kid] = publicKey
        }
        self.keys = keys
    }
}
