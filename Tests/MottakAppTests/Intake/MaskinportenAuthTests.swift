import Foundation
import HTTPTypes
import HummingbirdTesting
import LocalStandIns
import NIOCore
import Testing

/// Authentication on the LPS routes, end to end: keys fetched over HTTP from the well-known
/// document, cached, refetched on rotation. (Every token rule is tested in MaskinportenTests.)
@Suite(.timeLimit(.minutes(5))) struct MaskinportenAuthTests {
    @Test func aMissingOrNonBearerHeaderIs401SayingWhy() async throws {
        try await IntakeTestApp.run { app in
            for (authorization, words) in [(nil, "Missing Authorization header"), ("Basic dXNlcjpwYXNz", "Bearer <token>")] {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let authorization { headers[.authorization] = authorization }
                let response = try await app.client.execute(
                    uri: "/api/v1/followupplan", method: .post, headers: headers, body: .init(bytes: PlanJSON.body()))
                #expect(response.status == .unauthorized)
                let error = try ApiErrorBody(response)
                #expect(error.status == .init(value: 401, description: "Unauthorized"))
                #expect(error.type == "AUTHENTICATION_ERROR")
                #expect(error.message.contains(words), "\(error.message)")
            }
            #expect(try await app.count("followup_plan") == 0)
        }
    }

    /// The existing service takes an Authorization header without a scheme as the token; LPS
    /// that send it so keep working (the same verification), and a refusal still names Bearer.
    @Test func aBareTokenWithoutTheBearerSchemeIsVerifiedTheSameWay() async throws {
        try await IntakeTestApp.run { app in
            var headers: HTTPFields = [.contentType: "application/json", .authorization: try app.token(), HTTPField.Name("Prefer")!: "respond-async"]
            let accepted = try await app.client.execute(
                uri: "/api/v1/followupplan", method: .post, headers: headers, body: .init(bytes: PlanJSON.body()))
            #expect(accepted.status == .accepted)
            let verify = try await app.client.execute(
                uri: "/api/v1/followupplan/verify-integration", method: .get, headers: [.authorization: try app.token()], body: nil)
            #expect(verify.status == .ok)

            headers[.authorization] = try app.token(scope: "nav:other/scope")
            let wrongScope = try await app.client.execute(
                uri: "/api/v1/followupplan", method: .post, headers: headers, body: .init(bytes: PlanJSON.body()))
            #expect(wrongScope.status == .unauthorized, "the same checks as with the scheme")
            headers[.authorization] = "not-a-jwt"
            let garbage = try await app.client.execute(
                uri: "/api/v1/followupplan", method: .post, headers: headers, body: .init(bytes: PlanJSON.body()))
            #expect(garbage.status == .unauthorized)
            #expect(garbage.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await app.count("followup_plan") == 1)
        }
    }

    @Test func anExpiredTokenSaysJWTIsExpired() async throws {
        try await IntakeTestApp.run { app in
            let expired = try app.issuer.token(consumer: "123456789", issuedAt: Date().addingTimeInterval(-600), lifetime: 120)
            let response = try await app.submit(token: expired)
            #expect(response.status == .unauthorized)
            #expect(try ApiErrorBody(response).message == "JWT is expired")
        }
    }

    @Test func scopeIsAListThatMustContainOurs() async throws {
        try await IntakeTestApp.run { app in
            #expect(try await app.submit(token: try app.token(scope: "openid nav:oppfolgingsplan/lps.write altinn:x")).status == .accepted)
            let other = try await app.submit(token: try app.token(scope: "nav:other/scope"))
            #expect(other.status == .unauthorized)
            #expect(try ApiErrorBody(other).message.lowercased().contains("scope"))
        }
    }

    @Test func aTokenFromAnotherIssuerWithTheSameKeyIdIsRefused() async throws {
        try await IntakeTestApp.run { app in
            let impostor = try LocalMaskinportenIssuer(issuer: "https://evil.example/", keyID: app.issuer.keyID)
            let response = try await app.submit(token: try impostor.token(consumer: "123456789"))
            #expect(response.status == .unauthorized)
            #expect(try await app.count("followup_plan") == 0)
        }
    }

    @Test func aRotatedKeyIsFetchedOnceAndUnknownKeysDoNotHammerMaskinporten() async throws {
        try await IntakeTestApp.run { app in
            #expect(try await app.submit().status == .accepted)
            let fetchesBefore = app.maskinporten.jwksRequestCount
            #expect(fetchesBefore == 1, "keys are cached")

            // Maskinporten publishes a new key and starts signing with it.
            let rotated = try LocalMaskinportenIssuer(issuer: app.issuer.issuer, keyID: "rotated-2")
            app.maskinporten.publish([app.issuer, rotated])
            #expect(try await app.submit(token: try rotated.token(consumer: "123456789")).status == .accepted)
            #expect(app.maskinporten.jwksRequestCount == fetchesBefore + 1)

            // Made-up key ids: refused, and no further fetch within the rate limit.
            let ghost = try LocalMaskinportenIssuer(issuer: app.issuer.issuer, keyID: "ghost")
            for _ in 0..<5 {
                let response = try await app.submit(token: try ghost.token(consumer: "123456789"))
                #expect(response.status == .unauthorized)
                #expect(try ApiErrorBody(response).message.contains("Unknown signing key"))
            }
            #expect(app.maskinporten.jwksRequestCount == fetchesBefore + 1)
        }
    }

    @Test func whenMaskinportenIsUnreachableTheAnswerIs503NotA401() async throws {
        try await IntakeTestApp.run(maskinportenWellKnownURL: "http://127.0.0.1:1/.well-known/oauth-authorization-server") { app in
            let response = try await app.submit()
            #expect(response.status == .serviceUnavailable)
            let error = try ApiErrorBody(response)
            #expect(error.status == .init(value: 503, description: "Service Unavailable"))
            #expect(error.message.contains("Maskinporten"))
            #expect(try await app.count("followup_plan") == 0)
        }
    }
}
