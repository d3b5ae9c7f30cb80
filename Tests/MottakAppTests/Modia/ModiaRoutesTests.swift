import Foundation
import HTTPTypes
import HummingbirdTesting
import LocalStandIns
import MottakApp
import NIOCore
import Storage
import TestSupport
import Testing

/// The case workers' routes as Modia (`syfomodiaperson`) calls them, against real PostgreSQL,
/// the local Azure AD and istilgangskontroll and a local audit log collector: what each answer
/// is, what is shown to whom, and the audit record each request leaves.
@Suite(.timeLimit(.minutes(5))) struct ModiaRoutesTests {
    typealias App = ModiaTestApp

    @Test func theListHasThePersonsPlansToNavWithAPdfNewestFirstInTheOriginalsLayout() async throws {
        try await App.run { app in
            let older = try await app.insertPlan(createdAt: "'2024-05-02 08:11:12.34+00'", updatedAt: "'2024-05-03 08:00:00+00'")
            let newer = try await app.insertPlan(
                toGeneralPractitioner: true, createdAt: "'2024-01-10 12:00:00.000001+00'", updatedAt: "'2024-06-01 09:30:15.5+00'")
            try await app.insertPlan(toNav: false, toGeneralPractitioner: true)  // to the GP only
            try await app.insertPlan(pdf: nil)  // to NAV, not yet through the lookup: no PDF yet
            try await app.insertPlan(person: "01010112345")  // another person's

            let response = try await app.plans(of: App.person, callID: "call-list")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.cacheControl] == "no-store")
            // Oslo wall-clock time as Jackson writes a LocalDateTime; sistEndret newest first.
            #expect(
                String(buffer: response.body)
                    == #"[{"uuid":"\#(newer)","fnr":"01019012345","virksomhetsnummer":"123456789","opprettet":"2024-01-10T13:00:00.000001","sistEndret":"2024-06-01T11:30:15.5"},"#
                    + #"{"uuid":"\#(older)","fnr":"01019012345","virksomhetsnummer":"123456789","opprettet":"2024-05-02T10:11:12.34","sistEndret":"2024-05-03T10:00:00"}]"#
            )

            let records = try await app.auditRecords(count: 1)
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.hasPrefix("<14>"), "syslog: facility user, severity info")
            #expect(
                record.contains(" oppfolgingsplan-mottak: CEF:0|sykefraværsoppfølging|oppfolgingsplan-mottak|1.0|audit:access|Sporingslogg|INFO|end=")
            )
            #expect(
                record.hasSuffix(
                    "suid=Z990000 duid=01019012345 sproc=call-list requestMethod=GET request=/api/internad/v1/oppfolgingsplan/lps "
                        + "flexString1Label=Decision flexString1=Permit msg=listed 2 follow-up plan(s)"))

            // istilgangskontroll was asked as the original asks it, with an on-behalf-of token.
            let asked = try #require(app.nav.requests(to: .istilgangskontroll).last)
            #expect(asked.path == "/istilgangskontroll/api/tilgang/navident/person")
            #expect(asked.headers[HTTPField.Name("nav-personident")!] == App.person)
            #expect(asked.headers[HTTPField.Name("Nav-Call-Id")!] == "call-list")
            #expect(asked.headers[.accept] == "application/json")
            let exchange = try #require(app.nav.requests(to: .azureAD).last.map { String(decoding: $0.body, as: UTF8.self) })
            #expect(exchange.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"))
            #expect(exchange.contains("requested_token_use=on_behalf_of"))
            #expect(exchange.contains("scope=api%3A%2F%2Flocal.teamsykefravr.istilgangskontroll%2F.default"))
        }
    }

    @Test func aPersonWithoutPlansToNavHasAnEmptyList() async throws {
        try await App.run { app in
            try await app.insertPlan(toNav: false, toGeneralPractitioner: true)
            let response = try await app.plans(of: App.person)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "[]")
            #expect(try await app.auditRecords(count: 1).first?.hasSuffix("flexString1=Permit msg=listed 0 follow-up plan(s)") == true)
        }
    }

    @Test func thePdfIsTheStoredDocumentAndOnlyAPlanToNavWithOneHasIt() async throws {
        try await App.run { app in
            let toNav = try await app.insertPlan()
            let gpOnly = try await app.insertPlan(toNav: false, toGeneralPractitioner: true)
            let notYetBuilt = try await app.insertPlan(pdf: nil)

            let response = try await app.pdf(toNav.uppercased())
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/pdf")
            #expect(String(buffer: response.body) == "%PDF-1.4 test \(toNav)")
            for missing in [gpOnly, notYetBuilt, UUID().uuidString.lowercased()] {
                let refused = try await app.pdf(missing)
                #expect(refused.status == .notFound)
                #expect(
                    try ApiErrorBody(refused)
                        == ApiErrorBody(
                            status: .init(value: 404, description: "Not Found"), type: "FOLLOWUP_PLAN_NOT_FOUND",
                            message: "No follow-up plan sent to NAV with a PDF has this uuid"))
            }
            let malformed = try await app.pdf("not-a-uuid")
            #expect(malformed.status == .badRequest)
            #expect(try ApiErrorBody(malformed).message == "Invalid UUID string: not-a-uuid")

            let records = try await app.auditRecords(count: 4)
            #expect(records.count == 4, "no record for a malformed uuid")
            #expect(records[0].contains("suid=Z990000 duid=01019012345 "))
            #expect(
                records[0].hasSuffix(
                    "request=/api/internad/v1/oppfolgingsplan/lps/\(toNav) flexString1Label=Decision flexString1=Permit msg=opened the PDF of follow-up plan \(toNav)"
                ))
            #expect(records[1].contains("suid=Z990000 sproc="), "no person: the plan is not one a case worker may see")
            #expect(records[1].hasSuffix("flexString1=Deny msg=no follow-up plan to NAV with a PDF has this uuid"))
        }
    }

    @Test func aPersonTheCaseWorkerMayNotSeeIsRefusedOnBothRoutes() async throws {
        try await App.run { app in
            let hidden = try await app.insertPlan(person: App.hiddenPerson)
            let list = try await app.plans(of: App.hiddenPerson)
            #expect(list.status == .forbidden)
            #expect(
                try ApiErrorBody(list)
                    == ApiErrorBody(status: .init(value: 403, description: "Forbidden"), type: "FORBIDDEN_ACCESS_VEILEDER", message: "Forbidden"))
            let pdf = try await app.pdf(hidden)
            #expect(pdf.status == .forbidden)
            #expect(!String(buffer: pdf.body).contains("PDF"), "nothing of the document")
            #expect(try ApiErrorBody(pdf).type == "FORBIDDEN_ACCESS_VEILEDER")
            // The PDF route asked about the plan's own person.
            #expect(app.nav.requests(to: .istilgangskontroll).last?.headers[HTTPField.Name("nav-personident")!] == App.hiddenPerson)

            let records = try await app.auditRecords(count: 2)
            for record in records {
                #expect(record.contains("suid=Z990000 duid=\(App.hiddenPerson) "))
                #expect(record.hasSuffix("flexString1=Deny msg=istilgangskontroll denied access to the person"))
            }
        }
    }

    @Test func aRefusalIn200AndAnAnswerWithoutADecisionAreNeverAnAllow() async throws {
        try await App.run { app in
            try await app.insertPlan()
            app.nav.inject(.answer(200, body: #"{"erGodkjent":false}"#, times: 1), into: .istilgangskontroll)
            #expect(try await app.plans(of: App.person).status == .forbidden)
            app.nav.inject(.answer(200, body: #"{"tilgang":"ja"}"#, times: 1), into: .istilgangskontroll)
            let unreadable = try await app.plans(of: App.person)
            #expect(unreadable.status == .serviceUnavailable)
            #expect(try ApiErrorBody(unreadable).message.contains("istilgangskontroll is unavailable"))
        }
    }

    @Test func istilgangskontrollDownOrSlowIsA503ThatSaysSoAndIsAudited() async throws {
        try await App.run { app in
            let uuid = try await app.insertPlan()
            app.nav.inject(.status(503), into: .istilgangskontroll)
            for response in [try await app.plans(of: App.person), try await app.pdf(uuid)] {
                #expect(response.status == .serviceUnavailable)
                #expect(
                    try ApiErrorBody(response).message
                        == "Access to the person cannot be checked right now (istilgangskontroll is unavailable); nothing was shown, try again later")
            }
            // Slower than the client's 5 s: the same answer, not a hung request.
            app.nav.inject(.delay(.seconds(7)), into: .istilgangskontroll)
            #expect(try await app.plans(of: App.person).status == .serviceUnavailable)
            let records = try await app.auditRecords(count: 3)
            #expect(records.allSatisfy { $0.hasSuffix("flexString1=Deny msg=nothing shown: istilgangskontroll is unavailable") })
        }
    }

    @Test func theOriginalsAnswersToAMissingOrMalformedPersonIdent() async throws {
        try await App.run { app in
            let missing = try await app.plans(of: nil)
            #expect(missing.status == .badRequest)
            #expect(
                try ApiErrorBody(missing)
                    == ApiErrorBody(
                        status: .init(value: 400, description: "Bad Request"), type: "ILLEGAL_ARGUMENT",
                        message: "Failed to access lps plan for person: No nav-personident supplied in request header"))
            for malformed in ["0101901234", "010190123456", "0101901234x"] {
                let response = try await app.plans(of: malformed)
                #expect(response.status == .badRequest)
                #expect(try ApiErrorBody(response).message == "Failed requirement: nav-personident must be an identity number of 11 digits")
            }
            #expect(app.nav.requests(to: .istilgangskontroll).isEmpty, "nothing asked for a person not named")
            try await Task.sleep(for: .milliseconds(200))
            #expect(app.audit.received.isEmpty, "no person was asked for")
        }
    }

    @Test func onlyAValidAzureADTokenOfANavEmployeeForThisApplicationGetsIn() async throws {
        try await App.run { app in
            try await app.insertPlan()
            let expired = try app.nav.azureAD.token(navIdent: App.caseWorker, issuedAt: Date(timeIntervalSinceNow: -7_200), lifetime: 3_600)
            let refusals: [(String?, String)] = [
                (nil, "Missing Authorization header: send an Azure AD token for NAV staff as 'Bearer <token>'"),
                (try app.maskinporten.token(consumer: "123456789"), "Invalid issuer in JWT: this route takes Azure AD tokens for NAV staff"),
                (expired, "JWT is expired"),
                (
                    try app.nav.azureAD.token(navIdent: App.caseWorker, audience: "another-app"),
                    "Invalid audience in JWT: the token is not for this application"
                ),
                (
                    try app.token(claims: ["NAVident": NSNull()]),
                    "The token names no NAV employee (NAVident claim): only case workers signed in to Modia may call this route"
                ),
                (try LocalAzureADIssuer(keyID: "foreign").token(navIdent: App.caseWorker), "Unknown signing key 'foreign'"),
                (try LocalAzureADIssuer().token(navIdent: App.caseWorker), "Invalid token signature"),
            ]
            for (token, message) in refusals {
                var headers: HTTPFields = [HTTPField.Name("nav-personident")!: App.person]
                if let token { headers[.authorization] = "Bearer \(token)" }
                let response = try await app.client.execute(uri: "/api/internad/v1/oppfolgingsplan/lps", method: .get, headers: headers)
                #expect(response.status == .unauthorized, "\(message)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(try ApiErrorBody(response).message == message)
            }
            // And a case worker's token opens no LPS route.
            let lps = try await app.client.execute(
                uri: "/api/v1/followupplan/\(UUID().uuidString)/sendingstatus", method: .get, headers: [.authorization: "Bearer \(try app.token())"])
            #expect(lps.status == .unauthorized)
            #expect(app.nav.requests(to: .istilgangskontroll).isEmpty)
            #expect(app.audit.received.isEmpty)
        }
    }

    @Test func anAccessTheAuditLogCannotTakeShowsNothing() async throws {
        // Nothing listens on port 1.
        let unreachable: @Sendable (inout AppConfiguration) -> Void = { $0.auditLogAddress = ("127.0.0.1", 1) }
        try await App.run(configure: unreachable) { app in
            let uuid = try await app.insertPlan()
            for response in [try await app.plans(of: App.person), try await app.pdf(uuid)] {
                #expect(response.status == .serviceUnavailable)
                #expect(
                    try ApiErrorBody(response).message
                        == "The access cannot be recorded in the audit log right now, so nothing was shown; try again later")
            }
            // What the alert MottakAuditLogUnavailable watches.
            let metrics = try await app.client.execute(uri: "/internal/metrics", method: .get)
            #expect(String(buffer: metrics.body).contains("mottak_audit_records_failed_total 2"))
        }
    }

    @Test func theDatabaseDownIsA503AndTheAccessIsStillAudited() async throws {
        let database = ProxiedDatabase()
        defer { database.close() }
        try await App.run(database: database.route) { app in
            database.close()
            let response = try await app.plans(of: App.person)
            #expect(response.status == .serviceUnavailable)
            #expect(try ApiErrorBody(response).message == "The follow-up plans cannot be read right now; try again later")
            #expect(
                try await app.auditRecords(count: 1).first?.hasSuffix("flexString1=Permit msg=nothing shown: the database is unavailable") == true)
        }
    }
}
