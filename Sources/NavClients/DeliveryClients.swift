import AsyncHTTPClient
import Foundation

/// dokarkiv (domain-reference.md 4.8): the plan as an incoming journal post in NAV's archive.
public struct DokarkivClient: Sendable {
    public struct JournalPost: Sendable, Equatable {
        public var employerOrgNumber: String
        public var employerName: String?
        public var employeeIdentificationNumber: String
        public var pdf: [UInt8]
        /// The plan uuid: dokarkiv answers 409 with the existing post when it sees it again.
        public var externalReference: String

        public init(employerOrgNumber: String, employerName: String?, employeeIdentificationNumber: String, pdf: [UInt8], externalReference: String) {
            self.employerOrgNumber = employerOrgNumber
            self.employerName = employerName
            self.employeeIdentificationNumber = employeeIdentificationNumber
            self.pdf = pdf
            self.externalReference = externalReference
        }
    }

    let baseURL: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(baseURL: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none) {
        self.baseURL = baseURL
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "dokarkiv", httpClient: httpClient, timeout: .seconds(30), metrics: metrics)
    }

    /// Creates the journal post, or finds the one made before for the same plan (409); returns
    /// its `journalpostId`.
    public func journal(_ post: JournalPost) async throws -> String {
        let title = "Oppfølgingsplan " + (post.employerName ?? post.employerOrgNumber)
        let body: [String: Any] = [
            "avsenderMottaker": ["id": post.employerOrgNumber, "idType": "ORGNR", "navn": post.employerName.map { $0 as Any } ?? NSNull()] as [String: Any],
            "tittel": title,
            "bruker": ["id": post.employeeIdentificationNumber, "idType": "FNR"],
            "dokumenter": [[
                "brevkode": "OPPF_PLA", "dokumentKategori": "ES", "tittel": title,
                "dokumentvarianter": [["filnavn": title, "filtype": "PDFA", "variantformat": "ARKIV", "fysiskDokument": Data(post.pdf).base64EncodedString()]],
            ]],
            "journalfoerendeEnhet": 9999, "journalpostType": "INNGAAENDE", "kanal": "NAV_NO", "sak": ["sakstype": "GENERELL_SAK"],
            "tema": "OPP", "eksternReferanseId": post.externalReference, "overstyrInnsynsregler": "VISES_MASKINELT_GODKJENT",
        ]
        let answer = try await exchange.post(
            await baseURL.appending("/rest/journalpostapi/v1/journalpost?forsoekFerdigstill=true"), body: try JSONSerialization.data(withJSONObject: body),
            headers: [("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json")])
        guard answer.status == 201 || answer.status == 409 else { throw DependencyUnavailable("dokarkiv", "status \(answer.status)") }
        struct Response: Decodable { var journalpostId: Int }
        guard let response = try? JSONDecoder().decode(Response.self, from: answer.body) else {
            throw DependencyUnavailable("dokarkiv", "an answer without journalpostId")
        }
        return String(response.journalpostId)
    }
}

/// isdialogmelding (domain-reference.md 4.6): the plan to the employee's GP (fastlege).
public struct IsdialogmeldingClient: Sendable {
    public enum Outcome: Sendable, Equatable {
        case sent
        /// 404: no registered GP, or the GP's office cannot receive messages. Permanent.
        case generalPractitionerNotFound
        /// Any other answer: isdialogmelding did not take the message; try again later.
        case notAccepted(status: Int)
    }

    let baseURL: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(baseURL: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none) {
        self.baseURL = baseURL
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "isdialogmelding", httpClient: httpClient, timeout: .seconds(30), metrics: metrics)
    }

    /// Throws only when no answer came (connection lost, timeout): then the message may or may
    /// not have been taken.
    public func send(pdf: [UInt8], to employee: String) async throws -> Outcome {
        let answer = try await exchange.post(
            await baseURL.appending("/api/v2/send/oppfolgingsplan"),
            body: try JSONSerialization.data(withJSONObject: ["sykmeldtFnr": employee, "oppfolgingsplanPdf": Data(pdf).base64EncodedString()]),
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json"),
                ("Nav-Call-Id", UUID().uuidString.lowercased()),
            ])
        switch answer.status {
        case 200: return .sent
        case 404: return .generalPractitionerNotFound
        default: return .notAccepted(status: answer.status)
        }
    }
}
