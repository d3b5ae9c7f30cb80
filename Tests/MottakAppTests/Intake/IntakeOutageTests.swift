import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kafka
import KafkaMock
import LocalStandIns
import NIOCore
import Storage
import TestSupport
import Testing

@testable import MottakApp

/// The intake when PostgreSQL cannot be reached: a prompt 503 ApiError the caller can retry,
/// never a 500 and never a hanging request.
@Suite(.timeLimit(.minutes(5))) struct IntakeOutageTests {
    @Test func withPostgresUnreachableASubmissionIs503WithinTheStoreTimeout() async throws {
        let issuer = try LocalMaskinportenIssuer()
        let maskinporten = LocalMaskinportenServer(issuers: [issuer], logger: TestServices.logger)
        // Nothing listens on port 1.
        let database = DatabaseConfiguration(host: "127.0.0.1", port: 1, username: "nobody", password: nil, database: "none")
        var configuration = HealthEndpointTests.configuration(database: database, kafka: "127.0.0.1:1")
        configuration.migrateOnStart = false
        configuration.maskinporten = MaskinportenConfiguration(description: "test issuer") { await maskinporten.wellKnownURL() }
        let app = try MottakApplication.build(
            configuration: configuration, roles: [.intake], leadingServices: [maskinporten], logger: TestServices.logger)
        try await app.test(.router) { client in
            let submit = {
                try await client.execute(
                    uri: "/api/v1/followupplan", method: .post,
                    headers: [.contentType: "application/json", .authorization: "Bearer \(try issuer.token(consumer: "123456789"))"],
                    body: ByteBuffer(bytes: PlanJSON.body()))
            }
            // The first request fetches Maskinporten's keys; under the whole suite's start-up load
            // that fetch can pass its 5 s bound (a 503 about Maskinporten). This test is about
            // PostgreSQL, so it starts once the keys are in.
            try await eventually("Maskinporten's keys", timeout: .seconds(60), poll: .milliseconds(200)) {
                !(try ApiErrorBody(try await submit()).message.contains("Maskinporten"))
            }
            let started = ContinuousClock.now
            let response = try await submit()
            #expect(response.status == .serviceUnavailable)
            let error = try ApiErrorBody(response)
            #expect(error.status == .init(value: 503, description: "Service Unavailable"))
            #expect(error.message.contains("nothing was saved"))
            // 5 s store timeout, on a machine whose two cores start every suite at once; still half
            // the minute postgres-nio would otherwise queue the request for.
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }
}
