import Domain
import Foundation
import LocalStandIns
import Logging
import Testing

@testable import NavClients

/// Every sample answer of every NAV API (`Samples/<api>/`, facts and sources in
/// docs/contracts/) goes over HTTP through our real client, and comes out as the answer, the
/// access problem or the outage that docs/contracts/README.md says it is. A sample without an
/// expectation here fails the test, so none is left undecoded.
@Suite(.timeLimit(.minutes(5))) struct NavClientContractTests {
    static let fnr = "01019012345"

    @Test func dokarkiv() async throws {
        let receipt = { (id: String, finalised: Bool, message: String?) in
            Outcome.value(DokarkivClient.Receipt(journalpostID: id, finalised: finalised, message: message))
        }
        let expected: [String: Outcome<DokarkivClient.Receipt>] = [
            "201-created": receipt("598116231", true, nil),
            "201-not-finalised": receipt("598116232", false, "Journalposten ble opprettet, men kunne ikke ferdigstilles automatisk"),
            "201-numeric-id": receipt("598116233", true, nil),
            "201-other-spelling": receipt("598116234", true, nil),
            "201-without-id": .unavailable,
            "409-already-journalled": receipt("598116231", true, nil),
            "400-refused": .unavailable,
            "401-unauthorized": .accessDenied,
            "503-unavailable": .unavailable,
        ]
        try await Self.check(.dokarkiv, expected) { nav, tokens in
            let client = DokarkivClient(baseURL: EndpointURL { await nav.baseURL(.dokarkiv) }, scope: "dokarkiv", tokens: tokens)
            return try await client.journal(
                .init(
                    employerOrgNumber: "123456789", employerName: nil, employeeIdentificationNumber: Self.fnr, pdf: Array("%PDF-1.4".utf8),
                    externalReference: UUID().lowercasedString))
        }
    }

    @Test func isdialogmelding() async throws {
        let expected: [String: Outcome<IsdialogmeldingClient.Outcome>] = [
            "200-sent": .value(.sent),
            "404-no-fastlege": .value(.generalPractitionerNotFound),
            "400-invalid-personident": .value(.refused),
            "403-consumer-not-allowed": .accessDenied,
            "500-unexpected": .value(.notAccepted(status: 500)),
        ]
        try await Self.check(.isdialogmelding, expected) { nav, tokens in
            let client = IsdialogmeldingClient(baseURL: EndpointURL { await nav.baseURL(.isdialogmelding) }, scope: "isdialogmelding", tokens: tokens)
            return try await client.send(pdf: Array("%PDF-1.4".utf8), to: Self.fnr)
        }
    }

    /// What we send is what NAV's APIs read: the request bodies as NAV's service builds them
    /// (PDL: `PdlRequest`/`SokAdressePdlRequest` in navikt/lps-oppfolgingsplan-mottak
    /// `client/pdl/domain/PdlRequest.kt`; the others: docs/contracts/), compared as JSON values.
    @Test func theRequestBodiesHaveNavsShapes() async throws {
        try await Self.withStandIns { nav, tokens in
            func sent(_ api: LocalNavServer.API) -> [NSDictionary] {
                nav.requests(to: api).compactMap { (try? JSONSerialization.jsonObject(with: $0.body)) as? NSDictionary }
            }
            let pdl = PdlClient(url: EndpointURL { await nav.baseURL(.pdl) + "/graphql" }, scope: "pdl", tokens: tokens)
            _ = try await pdl.person(Self.fnr)
            let pdlBodies = sent(.pdl)
            try #require(pdlBodies.count == 2, "the person, then the post town")
            let (person, postTown) = (pdlBodies[0], pdlBodies[1])
            #expect((person["query"] as? String)?.contains("hentPerson") == true)
            #expect(person["variables"] as? NSDictionary == ["ident": Self.fnr])
            #expect((postTown["query"] as? String)?.contains("sokAdresse") == true)
            #expect(
                postTown["variables"] as? NSDictionary == [
                    "paging": ["pageNumber": 1, "resultsPerPage": 1],
                    "criteria": [["fieldName": "vegadresse.postnummer", "searchRule": ["equals": "1234"]]],  // the fixture's
                ])

            _ = try await AaregClient(baseURL: EndpointURL { await nav.baseURL(.aareg) }, scope: "aareg", tokens: tokens).arbeidsforhold(of: Self.fnr)
            #expect(sent(.aareg) == [["arbeidstakerId": Self.fnr, "rapporteringsordninger": ["A_ORDNINGEN", "FOER_A_ORDNINGEN"]]])

            _ = try await KrrClient(url: EndpointURL { await nav.baseURL(.krr) }, scope: "krr", tokens: tokens).contact(Self.fnr)
            #expect(sent(.krr) == [["personidenter": [Self.fnr]]])

            let pdf = Array("%PDF-1.4 /Type /Page".utf8)  // slashes, as in every PDF and base64
            _ = try await IsdialogmeldingClient(
                baseURL: EndpointURL { await nav.baseURL(.isdialogmelding) }, scope: "isdialogmelding", tokens: tokens
            ).send(pdf: pdf, to: Self.fnr)
            #expect(sent(.isdialogmelding) == [["sykmeldtFnr": Self.fnr, "oppfolgingsplanPdf": Data(pdf).base64EncodedString()]])
        }
    }

    /// One `hentPerson` answers both the lookup's question (does the person exist?) and the PDF's
    /// (name and address).
    @Test func pdlPerson() async throws {
        typealias Details = PdlClient.PersonDetails
        let answers: [String: Outcome<PdlClient.PersonAnswer>] = [
            // The post town comes from a second call, which the stand-in answers as usual.
            "200-person": .value(.found(Details(name: "KARI NORDMANN", address: "Fancy gate 1A 1234 OSLO"))),
            "200-protected-address": .value(.found(Details(name: "OLA NORDMANN", address: nil))),
            "200-no-name-no-road-address": .value(.found(Details(name: nil, address: nil))),
            "200-not-found": .value(.notFound), "200-invalid-ident": .value(.invalidIdentity),
        ]
        try await Self.check(.pdl, Self.pdlClasses().merging(answers) { $1 }) { nav, tokens in
            try await PdlClient(url: EndpointURL { await nav.baseURL(.pdl) + "/graphql" }, scope: "pdl", tokens: tokens).person(Self.fnr)
        }
    }

    /// A post town is asked of PDL once per postal code (kept for a day), not once per PDF.
    @Test func aPostTownIsAskedForOncePerPostalCode() async throws {
        try await Self.withStandIns { nav, tokens in
            let pdl = PdlClient(url: EndpointURL { await nav.baseURL(.pdl) + "/graphql" }, scope: "pdl", tokens: tokens)
            let first = try await pdl.personDetails("01019012345")
            let second = try await pdl.personDetails("01019012345")
            #expect(first?.address?.isEmpty == false && first == second, "\(String(describing: first))")
            #expect(nav.requests(to: .pdl).count == 3, "the person twice, the post town once")
        }
    }

    /// The PDL samples that are not answers, for both PDL calls.
    static func pdlClasses<Value>() -> [String: Outcome<Value>] {
        [
            "200-unauthorized": .accessDenied, "200-unauthenticated": .accessDenied, "200-server-error": .unavailable,
            "401-unauthorized": .accessDenied,
        ]
    }

    @Test func aareg() async throws {
        typealias Employment = AaregClient.Arbeidsforhold
        let employed = Employment(legalEntity: "923456789", workplace: "123456789")
        let expected: [String: Outcome<[Employment]>] = [
            "200-employment": .value([employed]),
            "200-without-gjeldende": .value([employed]),
            "200-person-employer": .value([Employment(legalEntity: nil, workplace: nil), employed]),
            "200-empty": .value([]),
            "200-unknown-kinds": .value([employed]),
            "404-not-found": .value([]),
            "403-forbidden": .accessDenied,
            "500-error": .unavailable,
        ]
        try await Self.check(.aareg, expected) { nav, tokens in
            try await AaregClient(baseURL: EndpointURL { await nav.baseURL(.aareg) }, scope: "aareg", tokens: tokens).arbeidsforhold(of: Self.fnr)
        }
    }

    @Test func krr() async throws {
        typealias Contact = KrrClient.Contact
        let expected: [String: Outcome<Contact>] = [
            "200-active": .value(Contact(phone: "+4799999999", email: "ansatt@example.no")),
            "200-inactive": .value(Contact()),
            "200-person-ikke-funnet": .value(Contact()),
            "200-strengt-fortrolig-adresse": .value(Contact()),
            "200-no-phone": .value(Contact(phone: nil, email: "ansatt@example.no")),
            "401-unauthorized": .accessDenied,
            "500-error": .unavailable,
        ]
        try await Self.check(.krr, expected) { nav, tokens in
            try await KrrClient(url: EndpointURL { await nav.baseURL(.krr) }, scope: "krr", tokens: tokens).contact(Self.fnr)
        }
    }

    @Test func ereg() async throws {
        let expected: [String: Outcome<String?>] = [
            "200-sammensattnavn": .value("LOKAL ARBEIDSGIVER AS AVD OSLO"),
            "200-navnelinjer-only": .value("LOKAL ARBEIDSGIVER AS AVD OSLO"),
            "200-without-navn": .value(nil),
            "404-not-found": .value(nil),
            "503-unavailable": .unavailable,
        ]
        try await Self.check(.ereg, expected) { nav, tokens in
            try await EregClient(baseURL: EndpointURL { await nav.baseURL(.ereg) }, scope: "ereg", appName: "test", tokens: tokens).name(
                of: "123456789")
        }
    }

    @Test func pdfgen() async throws {
        let expected: [String: Outcome<String>] = [
            "200-pdf": .value("%PDF-1.4"),
            "200-not-a-pdf": .unavailable,
            "500-template-error": .unavailable,
        ]
        try await Self.check(.pdfgen, expected) { nav, _ in
            let pdf = try await PdfGenClient(baseURL: EndpointURL { await nav.baseURL(.pdfgen) }, appName: "test").render(Self.lpsPlanData)
            return String(decoding: pdf.prefix(8), as: UTF8.self)
        }
    }

    /// A plan as the template gets it: every field present, those without a value as `null`
    /// (the existing service's `LpsPlanData`, serialised by Jackson, which keeps nulls).
    static let lpsPlanData = LpsPlanData(
        FollowUpPlanDTO(
            employeeIdentificationNumber: fnr, typicalWorkday: "a", tasksThatCanStillBeDone: "b", tasksThatCanNotBeDone: "c",
            previousFacilitation: "d", plannedFacilitation: "e", followUp: "f", evaluationDate: CalendarDate(iso: "2027-01-05")!,
            sendPlanToNav: true, sendPlanToGeneralPractitioner: true, contactPersonFullName: "g", contactPersonPhoneNumber: "h",
            contactPersonEmail: "i", employeeHasContributedToPlan: false, lpsName: "j"),
        person: nil, contact: KrrClient.Contact(phone: "99999999"))

    @Test func theTemplatesDataHasEveryFieldWithNullsWritten() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.lpsPlanData)) as? [String: Any])
        #expect(object.count == 23, "\(object.keys.sorted())")
        #expect(object["employeeName"] as? String == Self.fnr, "no name from PDL: the identity number stands in")
        #expect(object["employeePhoneNumber"] as? String == "99999999")
        #expect(object["employeeEmail"] is NSNull && object["employeeAddress"] is NSNull && object["needsHelpFromNav"] is NSNull)
        #expect(object["evaluationDate"] as? String == "05. januar 2027")
        #expect(object["sendPlanToString"] as? String == "NAV, LEGE")
        #expect(object["employeeHasContributedToPlan"] as? String == "Nei")
    }

    @Test func azureAD() async throws {
        let expected: [String: Outcome<String>] = [
            "200-token": .value("local-sample-token"),
            "200-expires-as-string": .value("local-sample-token"),
            "400-invalid-scope": .accessDenied,
            "401-invalid-client": .accessDenied,
            "503-unavailable": .unavailable,
        ]
        try await Self.check(.azureAD, expected) { nav, _ in
            // A provider of its own per sample: tokens are cached per scope.
            let tokens = AzureADTokenProvider(
                tokenEndpoint: EndpointURL { await nav.baseURL(.azureAD) + "/token" }, clientID: "test", clientSecret: "secret",
                logger: Logger(label: "test"))
            return try await tokens.token(scope: "dev-gcp.team.app")
        }
    }

    // MARK: - Helpers

    /// What a sample must come out as.
    enum Outcome<Value: Equatable>: Equatable {
        case value(Value)
        /// ``NavAccessDenied``: retried slowly and alerted on.
        case accessDenied
        /// ``DependencyUnavailable``: retried.
        case unavailable
    }

    /// One file of `Samples/<api>/`: `<status>-<variant>.<json|txt>`.
    struct Sample {
        var name: String
        var status: Int
        var body: String
        var contentType: String
    }

    static func samples(_ folder: String) throws -> [Sample] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Samples/\(folder)")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map { file in
            let url = directory.appendingPathComponent(file)
            let name = url.deletingPathExtension().lastPathComponent
            return Sample(
                name: name, status: Int(name.prefix { $0.isNumber }) ?? 0, body: try String(contentsOf: url, encoding: .utf8),
                contentType: ["txt": "text/plain; charset=UTF-8", "pdf": "application/pdf"][url.pathExtension] ?? "application/json")
        }
    }

    /// NAV's stand-ins running, and an Azure AD token provider on their Azure AD, for `body`.
    static func withStandIns(_ body: (LocalNavServer, AzureADTokenProvider) async throws -> Void) async throws {
        let nav = try LocalNavServer(logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await nav.run() }
            defer { group.cancelAll() }
            let tokens = AzureADTokenProvider(
                tokenEndpoint: EndpointURL { await nav.baseURL(.azureAD) + "/token" }, clientID: "test", clientSecret: "secret",
                logger: Logger(label: "test"))
            try await body(nav, tokens)
        }
    }

    /// Serves each sample of `api` once from the stand-in (`times` more answers come from the
    /// stand-in itself) and compares what `call` makes of it with `expected[sample]`.
    static func check<Value: Equatable>(
        _ api: LocalNavServer.API, _ expected: [String: Outcome<Value>], times: Int = 1,
        _ call: @escaping @Sendable (LocalNavServer, AzureADTokenProvider) async throws -> Value
    ) async throws {
        let samples = try samples(api.rawValue)
        #expect(Set(samples.map(\.name)) == Set(expected.keys), "every sample has an expectation, and every expectation a sample")
        try await withStandIns { nav, tokens in
            for sample in samples {
                nav.clearFailures()
                nav.inject(.answer(sample.status, body: sample.body, contentType: sample.contentType, times: times), into: api)
                let outcome: Outcome<Value>
                do {
                    outcome = .value(try await call(nav, tokens))
                } catch is NavAccessDenied {
                    outcome = .accessDenied
                } catch is DependencyUnavailable {
                    outcome = .unavailable
                }
                #expect(outcome == expected[sample.name], "\(api.rawValue)/\(sample.name)")
            }
        }
    }
}
