import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LocalStandIns
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Storage
import TestSupport
import Testing

@testable import MottakApp
@testable import MottakDev

/// The Modia routes as production runs them (the whole `MottakApplication`, status-query role)
/// against a fresh PostgreSQL database, with the local Azure AD, istilgangskontroll (both in
/// ``LocalNavServer``) and a local audit log collector (syslog over TCP).
struct ModiaTestApp {
    let client: any TestClientProtocol
    let postgres: PostgresClient
    /// The app's database (as the test reaches it directly, not through a proxy).
    let database: DatabaseConfiguration
    let nav: LocalNavServer
    let audit: LocalAuditCollector
    let maskinporten: LocalMaskinportenIssuer

    /// The person of the fixtures whom case workers may see, and one they may not.
    static let person = LocalNavFixtures.ready.identificationNumber
    static let hiddenPerson = LocalNavFixtures.protectedAddress.identificationNumber
    static let caseWorker = "Z990000"

    static func run(
        database databaseFor: @escaping @Sendable (DatabaseConfiguration) throws -> DatabaseConfiguration = { $0 },
        configure: @escaping @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (ModiaTestApp) async throws -> Void
    ) async throws {
        let nav = try LocalNavServer(logger: TestServices.logger)
        let maskinporten = try LocalMaskinportenIssuer()
        let maskinportenServer = LocalMaskinportenServer(issuers: [maskinporten], logger: TestServices.logger)
        let audit = try await LocalAuditCollector.start()
        defer { Task { await audit.close() } }
        try await TestServices.withFreshDatabase { database, postgres in
            // The status-query role uses no Kafka; the configuration only has to name a broker.
            var configuration = HealthEndpointTests.configuration(database: try databaseFor(database), kafka: "127.0.0.1:1")
            configuration.navApis = DevStack.standIns(nav, filling: try AppConfiguration(environment: [:], mode: .dev).navApis)
            configuration.maskinporten = MaskinportenConfiguration(description: "test issuer") { await maskinportenServer.wellKnownURL() }
            configuration.auditLogAddress = ("127.0.0.1", audit.port)
            configure(&configuration)
            let app = try MottakApplication.build(
                configuration: configuration, roles: [.statusQuery], leadingServices: [nav, maskinportenServer], logger: TestServices.logger)
            try await app.test(.router) { client in
                _ = try await HealthEndpointTests.waitForReadiness(client, status: .ok)
                let app = ModiaTestApp(
                    client: client, postgres: postgres, database: database, nav: nav, audit: audit, maskinporten: maskinporten)
                // Both issuers' keys in first: under the whole suite's start-up load a first key
                // fetch can pass its 5 s bound (a 503), which is not what these tests are about.
                // A malformed person passes authentication, asks no one and writes no record.
                try await eventually("Azure AD's keys", timeout: .seconds(60), poll: .milliseconds(200)) {
                    try await app.plans(of: "x").status == .badRequest
                }
                try await eventually("Maskinporten's keys", timeout: .seconds(60), poll: .milliseconds(200)) {
                    try await client.execute(
                        uri: "/api/v1/followupplan/\(UUID().uuidString)/sendingstatus", method: .get,
                        headers: [.authorization: "Bearer \(try maskinporten.token(consumer: "123456789"))"]
                    ).status == .notFound
                }
                try await body(app)
            }
        }
    }

    /// A case worker's Azure AD token for this application.
    func token(_ navIdent: String = caseWorker, claims: [String: Any] = [:], lifetime: TimeInterval = 3_600) throws -> String {
        try nav.azureAD.token(navIdent: navIdent, lifetime: lifetime, claims: claims)
    }

    /// The list for `person` (nil: no header) with `token` (default: a case worker's).
    func plans(of person: String?, token: String? = nil, callID: String = "call-\(UUID().uuidString)") async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(try token ?? self.token())", HTTPField.Name("Nav-Call-Id")!: callID]
        if let person { headers[HTTPField.Name("nav-personident")!] = person }
        return try await client.execute(uri: "/api/internad/v1/oppfolgingsplan/lps", method: .get, headers: headers)
    }

    /// The PDF of plan `uuid`.
    func pdf(_ uuid: String, token: String? = nil) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/internad/v1/oppfolgingsplan/lps/\(uuid)", method: .get, headers: [.authorization: "Bearer \(try token ?? self.token())"])
    }

    /// A plan row of `person`, its status row changed last at `updatedAt` (SQL), and its PDF
    /// unless `pdf` is nil.
    @discardableResult
    func insertPlan(
        person: String = person, toNav: Bool = true, toGeneralPractitioner: Bool = false, createdAt: String = "now()", updatedAt: String = "now()",
        pdf: String? = "%PDF-1.4 test"
    ) async throws -> String {
        let uuid = UUID().uuidString.lowercased()
        var row = [
            "uuid": "'\(uuid)'", "employee_identification_number": "'\(person)'", "send_plan_to_nav": "\(toNav)",
            "send_plan_to_general_practitioner": "\(toGeneralPractitioner)", "created_at": createdAt,
        ]
        if !toNav { row["needs_help_from_nav"] = "NULL" }
        try await PlanRows.insert(postgres, row)
        let nav = toNav ? "'SENT'" : "'NOT_REQUESTED'"
        let gp = toGeneralPractitioner ? "'SENT'" : "'NOT_REQUESTED'"
        try await postgres.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO plan_status (plan_uuid, state, nav_state, gp_state, updated_at)
                    VALUES ('\(uuid)', 'COMPLETED', \(nav), \(gp), \(updatedAt))
                    """))
        if let pdf {
            try await postgres.query(
                PostgresQuery(unsafeSQL: "INSERT INTO plan_pdf (plan_uuid, pdf) VALUES ('\(uuid)', convert_to('\(pdf) \(uuid)', 'UTF8'))"))
        }
        return uuid
    }

    /// The audit records received since the test began, once `count` of them have arrived.
    func auditRecords(count: Int) async throws -> [String] {
        try await eventually("\(count) audit record(s)", timeout: .seconds(10), poll: .milliseconds(20)) { audit.received.count >= count }
        return audit.received
    }
}
