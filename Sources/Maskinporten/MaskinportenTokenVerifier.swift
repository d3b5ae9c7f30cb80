import Crypto
import Domain
import Foundation
import _CryptoExtras

/// Verifies a Maskinporten access token (a JWT) and reads the caller's organisations from it.
///
/// Order: shape, algorithm, key, signature, and only then the claims, so nothing in an
/// unverified token is trusted. RS256 only: `none`, HMAC (the key-confusion attack that signs
/// with the public key as a secret) and everything else are refused before any key is used.
/// Time claims allow `leeway` of clock skew. Every failure is a 401 `AUTHENTICATION_ERROR`
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
    public static func isUnknownKey(_ error: ApiError) -> Bool {
        error.type == .authenticationError && error.message.hasPrefix("Unknown signing key")
    }

    /// A header value as the answer and the log may repeat it: a plain short name as it is,
    /// anything else (long, or with characters a name never has) by its length only. The token
    /// is the caller's text, and it ends up in every 401 and log line that names it.
    static func echo(_ value: String) -> String {
        let plain =
            value.utf8.count <= 64 && !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "._-+:".unicodeScalars.contains($0))
            }
        return plain ? value : "(\(value.utf8.count) bytes, not shown)"
    }

    public func verify(_ token: String, keys: JSONWebKeySet, now: Date) throws(ApiError) -> MaskinportenToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .authentication("Malformed token: expected a JWT (header.payload.signature)") }
        guard let header = Self.object(parts[0]) else { throw .authentication("Malformed token: the header is not base64url-encoded JSON") }

        let algorithm = header["alg"] as? String ?? ""
        guard algorithm == "RS256" else {
            throw .authentication(
                algorithm.lowercased() == "none"
                    ? "Unsigned tokens (alg none) are not accepted"
                    : "Unsupported signing algorithm '\(Self.echo(algorithm))'; only RS256 is accepted")
        }
        // RFC 7515 4.1.11: a token naming critical extensions we do not implement (we implement
        // none) must be refused, not verified as if they were absent.
        guard header["crit"] == nil else {
            throw .authentication("The token header names critical extensions (crit); none are supported")
        }
        guard let kid = header["kid"] as? String else { throw .authentication("The token header has no kid") }
        guard let key = keys.keys[kid] else { throw .authentication("Unknown signing key '\(Self.echo(kid))'") }
        guard let signature = Base64URL.decode(parts[2]),
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: Data("\(parts[0]).\(parts[1])".utf8),
                padding: .insecurePKCS1v1_5)
        else { throw .authentication("Invalid token signature") }

        guard let claims = Self.object(parts[1]) else { throw .authentication("Malformed token: the payload is not base64url-encoded JSON") }
        let seconds = now.timeIntervalSince1970
        let slack = Double(leeway.components.seconds)
        guard let expiresAt = claims["exp"] as? Double else { throw .authentication("Missing exp claim in JWT") }
        guard seconds <= expiresAt + slack else { throw .authentication("JWT is expired") }
        if let notBefore = claims["nbf"] as? Double, seconds + slack < notBefore {
            throw .authentication("JWT is not valid yet (nbf)")
        }
        if let issuedAt = claims["iat"] as? Double, seconds + slack < issuedAt {
            throw .authentication("JWT is issued in the future (iat)")
        }
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

    private static func object(_ part: Substring) -> [String: Any]? {
        guard let data = Base64URL.decode(part) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
