import Foundation
import TokenVerification
import _CryptoExtras

/// An RSA key that signs the local issuers' tokens (RS256), with its JWKS entry.
public struct LocalSigningKey: Sendable {
    public let keyID: String
    private let key: _RSA.Signing.PrivateKey

    /// A new key, kept in memory only.
    public init(keyID: String) throws {
        self.keyID = keyID
        self.key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    /// The key in `keyFile` (PEM), created there on first use, so that `mottak-dev` and
    /// `mottak-dev token` share it and a token minted once keeps working across restarts.
    public init(keyFile: URL, keyID: String) throws {
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

    /// The public half as a JWKS entry.
    public func jwk() throws -> [String: Any] {
        let primitives = try key.publicKey.getKeyPrimitives()
        return [
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID,
            "n": Base64URL.encode(primitives.modulus), "e": Base64URL.encode(primitives.publicExponent),
        ]
    }

    /// A JWKS document with these keys.
    public static func jwksDocument(of keys: [LocalSigningKey]) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["keys": try keys.map { try $0.jwk() }], options: [.sortedKeys])
    }

    /// A compact JWS of `claims`; `headerOverrides` replaces or removes (`NSNull`) header fields.
    public func sign(_ claims: [String: Any], header headerOverrides: [String: Any] = [:]) throws -> String {
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
