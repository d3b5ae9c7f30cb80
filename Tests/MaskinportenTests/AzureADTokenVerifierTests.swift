import AzureAD
import Domain
import Foundation
import LocalStandIns
import Testing
import TokenVerification

/// A NAV employee's Azure AD token, checked with the rigour of the Maskinporten verifier (the
/// same ``SignedJWT`` checks) plus what a case worker's token must say: the audience and a NAV
/// ident.
@Suite(.timeLimit(.minutes(5))) struct AzureADTokenVerifierTests {
    static let issuer = try! LocalAzureADIssuer(issuer: "https://login.microsoftonline.com/tenant/v2.0", keyID: "azure-1")
    static let keys = try! JSONWebKeySet(json: LocalSigningKey.jwksDocument(of: [issuer.key]))
    let verifier = AzureADTokenVerifier(issuer: "https://login.microsoftonline.com/tenant/v2.0", clientID: "our-client-id")

    func verify(_ token: String, now: Date = Date()) throws(ApiError) -> NavStaffToken {
        try verifier.verify(token, keys: Self.keys, now: now)
    }

    func message(_ token: String, now: Date = Date()) -> String? {
        do {
            _ = try verify(token, now: now)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func aCaseWorkersTokenNamesTheCaseWorker() throws {
        let token = try Self.issuer.token(navIdent: "Z990000", audience: "our-client-id")
        let staff = try verify(token)
        #expect(staff.navIdent == "Z990000")
        #expect(staff.encoded == token, "kept for the on-behalf-of exchange")
        // An audience list naming us is as good as the one audience.
        #expect(try verify(try Self.issuer.token(navIdent: "Z990000", claims: ["aud": ["other", "our-client-id"]])).navIdent == "Z990000")
    }

    @Test func clockSkewWithinTheLeewayIsAllowedAndBeyondItNot() throws {
        let issued = Date(timeIntervalSince1970: 1_800_000_000)
        let token = try Self.issuer.token(navIdent: "Z990000", audience: "our-client-id", issuedAt: issued, lifetime: 600)
        #expect(message(token, now: issued.addingTimeInterval(620)) == nil, "20 s past exp")
        #expect(message(token, now: issued.addingTimeInterval(640)) == "JWT is expired")
        #expect(message(token, now: issued.addingTimeInterval(-20)) == nil, "a clock 20 s behind")
        #expect(message(token, now: issued.addingTimeInterval(-40)) == "JWT is not valid yet (nbf)")
    }

    @Test func whatACaseWorkersTokenMustSay() throws {
        let refusals: [([String: Any], String)] = [
            (["aud": "another-app"], "Invalid audience in JWT: the token is not for this application"),
            (["aud": NSNull()], "Invalid audience in JWT: the token is not for this application"),
            (["iss": "https://login.microsoftonline.com/other/v2.0"], "Invalid issuer in JWT"),
            (["NAVident": NSNull()], "The token names no NAV employee (NAVident claim): only case workers signed in to Modia may call this route"),
            (["NAVident": "z99"], "The token names no NAV employee (NAVident claim): only case workers signed in to Modia may call this route"),
            (["exp": NSNull()], "Missing exp claim in JWT"),
        ]
        for (claims, expected) in refusals {
            #expect(message(try Self.issuer.token(navIdent: "Z990000", audience: "our-client-id", claims: claims)) == expected)
        }
    }

    @Test func onlyRS256FromAKnownKeyWithAValidSignature() throws {
        let token = try Self.issuer.token(navIdent: "Z990000", audience: "our-client-id")
        let parts = token.split(separator: ".").map(String.init)
        let unsigned = Base64URL.encode(Data(#"{"alg":"none","kid":"azure-1"}"#.utf8)) + ".\(parts[1])."
        #expect(message(unsigned) == "Unsigned tokens (alg none) are not accepted")
        let hmac = Base64URL.encode(Data(#"{"alg":"HS256","kid":"azure-1"}"#.utf8)) + ".\(parts[1]).\(parts[2])"
        #expect(message(hmac) == "Unsupported signing algorithm 'HS256'; only RS256 is accepted")
        let tampered = try Self.issuer.token(navIdent: "Z990001", audience: "our-client-id").split(separator: ".")[1]
        #expect(message("\(parts[0]).\(tampered).\(parts[2])") == "Invalid token signature")
        let foreign = try LocalAzureADIssuer(issuer: Self.issuer.issuer, keyID: "azure-2").token(navIdent: "Z990000", audience: "our-client-id")
        #expect(message(foreign) == "Unknown signing key 'azure-2'")
    }
}
