import Domain
import Foundation
import LocalStandIns
import Logging
import Maskinporten
import TestSupport
import Testing
import TokenVerification

/// The authenticator with keys fetched over HTTP from a local Maskinporten.
@Suite(.timeLimit(.minutes(5))) struct MaskinportenAuthenticatorTests {
    @Test func aRememberedTokenIsStillRefusedOnceItExpires() async throws {
        try await Self.withAuthenticator { authenticator, issuer, server in
            let issued = Date()
            let token = try issuer.token(consumer: "123456789", issuedAt: issued, lifetime: 60)
            let first = try await authenticator.authenticate(authorization: "Bearer \(token)", now: issued)
            #expect(first.employerOrgNumber == "123456789")
            // The second use is answered from memory…
            _ = try await authenticator.authenticate(authorization: "bearer \(token)", now: issued.addingTimeInterval(30))
            #expect(server.jwksRequestCount == 1)
            // …but not past exp + leeway (30 s).
            await #expect(throws: ApiError.authentication("JWT is expired")) {
                try await authenticator.authenticate(authorization: "Bearer \(token)", now: issued.addingTimeInterval(91))
            }
        }
    }

    @Test func aRefusedTokenIsRefusedEveryTime() async throws {
        try await Self.withAuthenticator { authenticator, issuer, _ in
            let token = try issuer.token(consumer: "123456789", scope: "nav:other")
            for _ in 0..<2 {
                await #expect(throws: ApiError.self) { try await authenticator.authenticate(authorization: "Bearer \(token)") }
            }
        }
    }

    @Test func oldKeysAreServedAtOnceWhileFreshOnesAreFetchedInTheBackground() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let issuer = try LocalMaskinportenIssuer()
        let server = LocalMaskinportenServer(issuers: [issuer], logger: logger)
        let keys = IssuerKeys(
            issuerName: "Maskinporten",
            wellKnownURL: { await server.wellKnownURL() }, maximumAge: .milliseconds(200), minimumRefetchInterval: .milliseconds(50),
            fetchTimeout: .seconds(60), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            // The first fetch has no cache to fall back on: under the whole suite's start-up
            // load (every suite starts at once on two cores) one may pass its 5 s bound; retried.
            try await eventually("the first fetch", timeout: .seconds(60), poll: .milliseconds(200)) { (try? await keys.current()) != nil }
            // Rotated at once: no other call may come between, for a call on keys older than
            // 200 ms starts a background refresh, and one still in flight under the suite's load
            // could bring the rotated keys before the stale answer below is asked for (seen once).
            let rotated = try LocalMaskinportenIssuer(issuer: issuer.issuer, keyID: "rotated")
            server.publish([rotated])
            try await Task.sleep(for: .milliseconds(300))
            // Stale: answered from the cache, refreshed behind the scenes.
            #expect(try await keys.current().keys.keys.keys.sorted() == [issuer.keyID])
            try await eventually("the background refresh to land", timeout: .seconds(5), poll: .milliseconds(20)) {
                try await keys.current().keys.keys.keys.sorted() == ["rotated"]
            }
        }
    }

    static func withAuthenticator(
        _ body: @escaping @Sendable (MaskinportenAuthenticator, LocalMaskinportenIssuer, LocalMaskinportenServer) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let issuer = try LocalMaskinportenIssuer()
        let server = LocalMaskinportenServer(issuers: [issuer], logger: logger)
        // A minute per fetch: under the whole suite's start-up load a first fetch on loopback has
        // taken more than the production 5 s (seen once); these tests are not about that bound.
        let keys = IssuerKeys(
            issuerName: "Maskinporten", wellKnownURL: { await server.wellKnownURL() }, fetchTimeout: .seconds(60), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            try await body(MaskinportenAuthenticator(keys: keys), issuer, server)
        }
    }
}
