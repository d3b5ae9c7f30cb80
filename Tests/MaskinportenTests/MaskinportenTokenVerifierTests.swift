import Crypto
import Domain
import Foundation
import LocalStandIns
import Maskinporten
import Testing
import TokenVerification

@Suite(.timeLimit(.minutes(5))) struct MaskinportenTokenVerifierTests {
    /// One 2048-bit key for the whole suite: generating one takes a moment.
    static let issuer = try! LocalMaskinportenIssuer(issuer: "https://test.maskinporten.no/")
    static let keys = try! JSONWebKeySet(json: issuer.jwksDocument())
    let verifier = MaskinportenTokenVerifier(issuer: "https://test.maskinporten.no/")
    let now = Date()

    @Test func aValidTokenGivesTheEmployerAndUsesItAsLPSWithoutSupplier() throws {
        let token = try verifier.verify(Self.issuer.token(consumer: "123456789"), keys: Self.keys, now: now)
        #expect(token.employerOrgNumber == "123456789")
        #expect(token.lpsOrgNumber == "123456789")
        #expect(token.scopes == ["nav:oppfolgingsplan/lps.write"])
    }

    @Test func aSupplierActingUnderDelegationIsTheLPS() throws {
        let token = try verifier.verify(Self.issuer.token(consumer: "123456789", supplier: "987654321"), keys: Self.keys, now: now)
        #expect(token.employerOrgNumber == "123456789")
        #expect(token.lpsOrgNumber == "987654321")
    }

    @Test func severalScopesIncludingOursAreAccepted() throws {
        let token = try verifier.verify(
            Self.issuer.token(consumer: "123456789", scope: "nav:other/read nav:oppfolgingsplan/lps.write"), keys: Self.keys, now: now)
        #expect(token.scopes.contains("nav:oppfolgingsplan/lps.write"))
    }

    @Test func clockSkewWithinTheLeewayIsTolerated() throws {
        let expiredJustNow = try Self.issuer.token(consumer: "123456789", issuedAt: now.addingTimeInterval(-130), lifetime: 120)
        #expect(throws: Never.self) { try verifier.verify(expiredJustNow, keys: Self.keys, now: now) }
    }

    @Test func anExpiredTokenSaysSo() throws {
        let expired = try Self.issuer.token(consumer: "123456789", issuedAt: now.addingTimeInterval(-600), lifetime: 120)
        expectRejected(expired, "JWT is expired")
    }

    @Test func aTokenNotValidYetIsRefused() throws {
        expectRejected(try Self.issuer.token(consumer: "123456789", claims: ["nbf": now.timeIntervalSince1970 + 300]), "JWT is not valid yet (nbf)")
        expectRejected(
            try Self.issuer.token(consumer: "123456789", issuedAt: now.addingTimeInterval(300)), "JWT is issued in the future (iat)")
    }

    @Test func aMissingExpIsRefused() throws {
        expectRejected(try Self.issuer.token(consumer: "123456789", claims: ["exp": NSNull()]), "Missing exp claim in JWT")
    }

    @Test func anotherIssuerIsRefused() throws {
        let other = try LocalMaskinportenIssuer(issuer: "https://evil.example/", keyID: "local-1")
        // Signed by a key we do not know, and claiming another issuer: the signature fails first.
        expectRejected(try other.token(consumer: "123456789"), "Invalid token signature")
        // Signed by the right key but naming another issuer.
        expectRejected(try Self.issuer.token(consumer: "123456789", claims: ["iss": "https://evil.example/"]), "Invalid issuer in JWT")
    }

    @Test func anUnknownKeyIsNamedSoTheCallerCanRefetchTheKeys() throws {
        let token = try Self.issuer.token(consumer: "123456789", header: ["kid": "rotated-2"])
        do {
            _ = try verifier.verify(token, keys: Self.keys, now: now)
            Issue.record("accepted an unknown key")
        } catch {
            #expect(error.message == "Unknown signing key 'rotated-2'")
            #expect(MaskinportenTokenVerifier.isUnknownKey(error))
        }
    }

    /// The caller's header values are repeated in the 401 and the log only when they look like
    /// a name: 80 KB or a line break in `kid` or `alg` never reach either.
    @Test func longOrStrangeHeaderValuesAreNotEchoed() throws {
        let long = String(repeating: "k", count: 80_000)
        let unknown = try Self.issuer.token(consumer: "123456789", header: ["kid": long])
        expectRejected(unknown, "Unknown signing key '(80000 bytes, not shown)'")
        let injected = try Self.issuer.token(consumer: "123456789", header: ["kid": "a\nlevel=error forged"])
        expectRejected(injected, "Unknown signing key '(20 bytes, not shown)'")
        let header = Base64URL.encode(Data(#"{"alg":"HS256\u0000<script>","kid":"local-1"}"#.utf8))
        let payload = token(of: try Self.issuer.token(consumer: "123456789"))[1]
        expectRejected("\(header).\(payload).", "Unsupported signing algorithm '(14 bytes, not shown)'; only RS256 is accepted")
    }

    @Test func aTamperedPayloadFailsTheSignature() throws {
        let token = try Self.issuer.token(consumer: "123456789")
        let parts = token.split(separator: ".").map(String.init)
        let forged = Base64URL.encode(
            Data(
                #"{"consumer":{"ID":"0192:999999999"},"exp":9999999999,"iss":"https://test.maskinporten.no/","scope":"nav:oppfolgingsplan/lps.write"}"#
                    .utf8))
        expectRejected("\(parts[0]).\(forged).\(parts[2])", "Invalid token signature")
    }

    @Test func unsignedTokensAreRefused() throws {
        let header = Base64URL.encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let payload = token(of: try Self.issuer.token(consumer: "123456789"))[1]
        expectRejected("\(header).\(payload).", "Unsigned tokens (alg none) are not accepted")
    }

    @Test func anHMACTokenSignedWithThePublicKeyIsRefused() throws {
        // The key-confusion attack: HS256 with the issuer's public JWKS as the shared secret.
        let header = Base64URL.encode(Data(#"{"alg":"HS256","kid":"local-1","typ":"JWT"}"#.utf8))
        let payload = token(of: try Self.issuer.token(consumer: "123456789"))[1]
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(header).\(payload)".utf8), using: SymmetricKey(data: try Self.issuer.jwksDocument()))
        expectRejected("\(header).\(payload).\(Base64URL.encode(Data(mac)))", "Unsupported signing algorithm 'HS256'; only RS256 is accepted")
    }

    @Test func scopeMustBePresentAndIncludeOurs() throws {
        expectRejected(try Self.issuer.token(consumer: "123456789", claims: ["scope": NSNull()]), "Missing scope claim in JWT")
        expectRejected(
            try Self.issuer.token(consumer: "123456789", scope: "nav:other/read"), "Invalid scope in JWT: nav:oppfolgingsplan/lps.write is required")
        expectRejected(
            try Self.issuer.token(consumer: "123456789", scope: "nav:oppfolgingsplan/lps.writer"),
            "Invalid scope in JWT: nav:oppfolgingsplan/lps.write is required")
    }

    @Test func aTokenWithCriticalHeaderExtensionsIsRefused() throws {
        // RFC 7515 4.1.11: extensions listed in crit must be understood; we understand none.
        expectRejected(
            try Self.issuer.token(consumer: "123456789", header: ["crit": ["exp"], "exp": 1]),
            "The token header names critical extensions (crit); none are supported")
    }

    @Test(
        arguments: [
            ["ID": "0192:12345678"], ["ID": "123456789"], ["ID": "0192:12345678a"], ["ID": "9908:123456789"], ["authority": "x"],
        ] as [[String: String]])
    func aMalformedConsumerClaimIsRefused(consumer: [String: String]) throws {
        expectRejected(
            try Self.issuer.token(consumer: "123456789", claims: ["consumer": consumer]),
            "Invalid consumer claim in JWT: expected ID 0192:<9-digit organisation number>")
    }

    @Test func aMissingConsumerOrMalformedSupplierIsRefused() throws {
        expectRejected(try Self.issuer.token(consumer: "123456789", claims: ["consumer": NSNull()]), "Missing consumer claim in JWT")
        expectRejected(
            try Self.issuer.token(consumer: "123456789", claims: ["supplier": ["ID": "0192:1"]]),
            "Invalid supplier claim in JWT: expected ID 0192:<9-digit organisation number>")
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "!!!.???.###"])
    func somethingThatIsNotAJWTIsRefused(text: String) {
        do {
            _ = try verifier.verify(text, keys: Self.keys, now: now)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.status.value == 401 && error.type == .authenticationError)
            #expect(error.message.hasPrefix("Malformed token"))
        }
    }

    @Test func theKeySetSkipsKeysItCannotUse() throws {
        let document = try JSONSerialization.jsonObject(with: Self.issuer.jwksDocument()) as! [String: [[String: String]]]
        let mixed: [String: Any] = [
            "keys": document["keys"]! + [
                ["kty": "EC", "kid": "ec-1", "crv": "P-256"], ["kty": "RSA", "kid": "enc-1", "use": "enc", "n": "AQAB", "e": "AQAB"],
            ]
        ]
        let keys = try JSONWebKeySet(json: JSONSerialization.data(withJSONObject: mixed))
        #expect(Array(keys.keys.keys) == ["local-1"])
    }

    private func token(of jwt: String) -> [String] {
        jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    private func expectRejected(_ token: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try verifier.verify(token, keys: Self.keys, now: now)
            Issue.record("accepted a token that should fail with: \(message)", sourceLocation: sourceLocation)
        } catch {
            #expect(error == .authentication(message), sourceLocation: sourceLocation)
            #expect(error.status == ApiError.Status(value: 401, description: "Unauthorized"), sourceLocation: sourceLocation)
        }
    }
}
