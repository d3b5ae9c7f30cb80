import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kafka
import KafkaMock
import LocalStandIns
import Logging
import PostgresNIO
import Storage
import TestSupport
import Testing

@testable import MottakApp

/// The intake as it runs in production (the whole `MottakApplication`, intake role), against a
/// fresh PostgreSQL database, the embedded Kafka and a local Maskinporten on loopback.
struct IntakeTestApp {
    let client: any TestClientProtocol
    /// A connection pool to the app's database, for checking what was stored.
    let postgres: PostgresClient
    let issuer: LocalMaskinportenIssuer
    let maskinporten: LocalMaskinportenServer

    static func run(
        roles: Set<Role> = [.intake, .statusQuery],
        submissionWait: Duration = .seconds(10),
        storeConnectionWait: Duration = .seconds(5),
        maskinportenWellKnownURL: String? = nil,
        database databaseFor: @escaping @Sendable (DatabaseConfiguration) throws -> DatabaseConfiguration = { $0 },
        configure: @escaping @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (IntakeTestApp) async throws -> Void
    ) async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestServices.logger)
        let issuer = try LocalMaskinportenIssuer()
        let maskinporten = LocalMaskinportenServer(issuers: [issuer], logger: TestServices.logger)
        try await TestServices.withFreshDatabase { database, postgres in
            var configuration = HealthEndpointTests.configuration(database: try databaseFor(database), kafka: cluster.bootstrapServers)
            configuration.submissionWait = submissionWait
            configuration.storeConnectionWait = storeConnectionWait
            configure(&configuration)
            configuration.maskinporten =
                maskinportenWellKnownURL.map(MaskinportenConfiguration.init(wellKnownURL:))
                ?? MaskinportenConfiguration(description: "test issuer") { await maskinporten.wellKnownURL() }
            let app = try MottakApplication.build(
                configuration: configuration, roles: roles, leadingServices: [maskinporten], logger: TestServices.logger)
            try await app.test(.router) { client in
                _ = try await HealthEndpointTests.waitForReadiness(client, status: .ok)
                try await body(IntakeTestApp(client: client, postgres: postgres, issuer: issuer, maskinporten: maskinporten))
            }
        }
        withExtendedLifetime(cluster) {}
    }

    /// A token of the local issuer for employer 123456789 unless told otherwise.
    func token(consumer: String = "123456789", supplier: String? = nil, scope: String = "nav:oppfolgingsplan/lps.write") throws -> String {
        try issuer.token(consumer: consumer, supplier: supplier, scope: scope)
    }

    /// POSTs `body` as JSON with a valid token; `headers` adds or replaces headers. Without a
    /// pipeline behind the intake nothing would answer the outcome, so unless `waiting` the
    /// request asks for the 202 at once (`Prefer: respond-async`).
    func submit(
        _ body: Data = PlanJSON.body(), token: String? = nil, headers extra: HTTPFields = [:], waiting: Bool = false
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(try token ?? self.token())"]
        if !waiting { headers[HTTPField.Name("Prefer")!] = "respond-async" }
        for field in extra { headers[field.name] = field.value }
        return try await client.execute(uri: "/api/v1/followupplan", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    func count(_ table: String) async throws -> Int {
        let rows = try await postgres.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(table)"))
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }
}

/// Request bodies: a complete valid plan as JSON, with changes.
enum PlanJSON {
    static var valid: [String: Any] {
        [
            "employeeIdentificationNumber": "01019012345", "typicalWorkday": "Warehouse work",
            "tasksThatCanStillBeDone": "Packing", "tasksThatCanNotBeDone": "Lifting", "previousFacilitation": "Shorter shifts",
            "plannedFacilitation": "Gradual return", "otherFacilitationOptions": "Lifting aid", "followUp": "Weekly talks",
            "evaluationDate": "2027-01-15", "sendPlanToNav": true, "needsHelpFromNav": true,
            "needsHelpFromNavDescription": "Funding for the lifting aid", "sendPlanToGeneralPractitioner": false,
            "contactPersonFullName": "Kari Nordmann", "contactPersonPhoneNumber": "+4799999999",
            "contactPersonEmail": "kari@example.no", "employeeHasContributedToPlan": true, "lpsName": "Example LPS",
        ]
    }

    /// `valid` with `changes` applied (`NSNull()` writes a JSON null) and `removing` left out.
    static func body(_ changes: [String: Any] = [:], removing removed: [String] = []) -> Data {
        var fields = valid.merging(changes) { $1 }
        for name in removed { fields[name] = nil }
        return try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    }
}

/// The ApiError body of a response.
struct ApiErrorBody: Decodable, Equatable {
    struct Status: Decodable, Equatable {
        var value: Int
        var description: String
    }
    var status: Status
    var type: String
    var message: String
}

extension ApiErrorBody {
    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(ApiErrorBody.self, from: Data(response.body.readableBytesView))
    }
}

struct SubmitAnswer: Decodable {
    var uuid: String
    var isSentToGeneralPractitionerStatus: Bool
    var isSentToNavStatus: Bool

    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(SubmitAnswer.self, from: Data(response.body.readableBytesView))
    }
}

extension ApiErrorBody {
    /// What `error` looks like on the wire.
    init(_ error: ApiError) {
        self.init(status: Status(value: error.status.value, description: error.status.description), type: error.type.rawValue, message: error.message)
    }
}
