import Crypto
import Domain
import Foundation
import _CryptoExtras

/// The checks every token we accept passes before its claims are read, whoever issued it:
/// shape, algorithm, key, signature; then the time claims with clock-skew leeway.
///
/// RS256 only: `none`, HMAC (the key-confusion attack that signs with the public key as a
/// secret) and everything else are refused before any key is used. Every failure is a 401
/// `AUTHENTICATION_ERROR` with a precise message.
public enum SignedJWT {
    /// The claims of `token` once its RS256 signature checked out against one of `keys`.
    public static func verifiedClaims(of token: String, keys: JSONWebKeySet) throws(ApiError) -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .authentication("Malformed token: expected a JWT (header.payload.signature)") }
        guard let header = object(parts[0]) else { throw .authentication("Malformed token: the header is not base64url-encoded JSON") }

        let algorithm = header["alg"] as? String ?? ""
        guard algorithm == "RS256" else {
            throw .authentication(
                algorithm.lowercased() == "none"
                    ? "Unsigned tokens (alg none) are not accepted"
                    : "Unsupported signing algorithm '\(echo(algorithm))'; only RS256 is accepted")
        }
        // RFC 7515 4.1.11: a token naming critical extensions we do not implement (we implement
        // none) must be refused, not verified as if they were absent.
        guard header["crit"] == nil else {
            throw .authentication("The token header names critical extensions (crit); none are supported")
        }
        guard let kid = header["kid"] as? String else { throw .authentication("The token header has no kid") }
        guard let key = keys.keys[kid] else { throw .authentication("Unknown signing key '\(echo(kid))'") }
        guard let signature = Base64URL.decode(parts[2]),
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: Data("\(parts[0]).\(parts[1])".utf8),
                padding: .insecurePKCS1v1_5)
        else { throw .authentication("Invalid token signature") }

        guard let claims = object(parts[1]) else { throw .authentication("Malformed token: the payload is not base64url-encoded JSON") }
        return claims
    }

    /// The claims of `token` WITHOUT any check: only to say which issuer a refused token came
    /// from (a Maskinporten token on a case worker's route), never to decide anything.
    public static func unverifiedClaims(of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        return object(parts[1])
    }

    /// `exp` (required), `nbf` and `iat` (when present) against `now`, each with `leeway`.
    /// Returns `exp`.
    public static func checkTimes(_ claims: [String: Any], now: Date, leeway: Duration) throws(ApiError) -> Double {
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
        return expiresAt
    }

    /// Whether a failure may mean the issuer rotated its keys (worth one JWKS refetch).
    public static func isUnknownKey(_ error: ApiError) -> Bool {
        error.type == .authenticationError && error.message.hasPrefix("Unknown signing key")
    }

    /// A header value as the answer and the log may repeat it: a plain short name as it is,
    /// anything else (long, or with characters a name never has) by its length only. The token
    /// is the caller's text, and it ends up in every 401 and log line that names it.
    public static func echo(_ value: String) -> String {
        let plain =
            value.utf8.count <= 64 && !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "._-+:".unicodeScalars.contains($0))
            }
        return plain ? value : "(\(value.utf8.count) bytes, not shown)"
    }

    /// `Bearer <token>` (the scheme is case-insensitive, RFC 7235). With `bareTokenAllowed`, the
    /// bare token too: the existing service takes a header without a scheme as the token, and
    /// some LPS send it so (issue #15). Another scheme (`Basic …`) is refused.
    public static func bearerToken(_ authorization: String?, missing: String, bareTokenAllowed: Bool) throws(ApiError) -> String {
        guard let authorization, !authorization.isEmpty else { throw .authentication(missing) }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        if bareTokenAllowed, parts.count == 1, !authorization.contains("\t") { return authorization }
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .authentication("The Authorization header must be 'Bearer <token>'")
        }
        // Plain scanning: Foundation's trimmingCharacters costs several percent of a request.
        let token = parts[1].drop { $0 == " " || $0 == "\t" }
        let end = token.lastIndex { $0 != " " && $0 != "\t" }
        guard let end else { throw .authentication("The Authorization header has an empty bearer token") }
        return String(token[...end])
    }

    private static func object(_ part: Substring) -> [String: Any]? {
        guard let data = Base64URL.decode(part) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
