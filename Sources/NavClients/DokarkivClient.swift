import AsyncHTTPClient
import Domain
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

    public init(
        baseURL: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none,
        circuits: DependencyCircuits = .none
    ) {
        self.baseURL = baseURL
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "dokarkiv", httpClient: httpClient, timeout: .seconds(30), metrics: metrics, circuits: circuits)
    }

    /// What dokarkiv answered for the journal post (201 made now, 409 made before).
    public struct Receipt: Sendable, Equatable {
        /// `journalpostId`: a JSON string on the wire (docs/contracts/dokarkiv.md).
        public var journalpostID: String
        /// `journalpostferdigstilt`: false (or missing) when dokarkiv made the post but could not
        /// finish it; the post exists and a caseworker finishes it by hand (`melding` says why).
        public var finalised: Bool
        public var message: String?
    }

    /// Creates the journal post, or finds the one made before for the same plan (409).
    public func journal(_ post: JournalPost) async throws -> Receipt {
        let answer = try await exchange.post(
            await baseURL.appending("/rest/journalpostapi/v1/journalpost?forsoekFerdigstill=true"),
            body: try RequestBody.json(JournalpostRequest(post)),
            headers: [("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json")])
        try answer.checkAccess("dokarkiv")
        guard answer.status == 201 || answer.status == 409 else { throw DependencyUnavailable("dokarkiv", "status \(answer.status)") }
        // The post exists only when its id came back; without one the plan is not journalled.
        guard let response = try? JSONDecoder().decode(JournalpostResponse.self, from: answer.body), let id = response.journalpostId?.value,
            !id.isEmpty
        else {
            throw DependencyUnavailable("dokarkiv", "status \(answer.status) without a journalpostId")
        }
        return Receipt(journalpostID: id, finalised: response.finalised ?? false, message: response.melding)
    }

    /// The request as dokarkiv's contract declares it (docs/contracts/dokarkiv.md): note
    /// `journalfoerendeEnhet` is a string.
    struct JournalpostRequest: Encodable {
        struct Party: Encodable {
            var id: String
            var idType: String
            var navn: String?
        }
        struct Person: Encodable {
            var id: String
            var idType: String
        }
        struct Document: Encodable {
            struct Variant: Encodable {
                var filnavn: String
                var filtype = "PDFA"
                var variantformat = "ARKIV"
                var fysiskDokument: String
            }
            var brevkode = "OPPF_PLA"
            var dokumentKategori = "ES"
            var tittel: String
            var dokumentvarianter: [Variant]
        }
        struct Case: Encodable { var sakstype = "GENERELL_SAK" }

        var avsenderMottaker: Party
        var tittel: String
        var bruker: Person
        var dokumenter: [Document]
        var journalfoerendeEnhet = "9999"
        var journalpostType = "INNGAAENDE"
        var kanal = "NAV_NO"
        var sak = Case()
        var tema = "OPP"
        var eksternReferanseId: String
        var overstyrInnsynsregler = "VISES_MASKINELT_GODKJENT"

        init(_ post: JournalPost) {
            let title = "Oppfølgingsplan " + (post.employerName ?? post.employerOrgNumber)
            avsenderMottaker = Party(id: post.employerOrgNumber, idType: "ORGNR", navn: post.employerName)
            tittel = title
            bruker = Person(id: post.employeeIdentificationNumber, idType: "FNR")
            dokumenter = [Document(tittel: title, dokumentvarianter: [.init(filnavn: title, fysiskDokument: Data(post.pdf).base64EncodedString())])]
            eksternReferanseId = post.externalReference
        }
    }

    /// The answer to a create (201) and to a repeat (409), read tolerantly: the id as string or
    /// number, both spellings of the finished flag seen in NAV's clients, anything else ignored.
    struct JournalpostResponse: Decodable {
        var journalpostId: LenientString?
        var finalised: Bool?
        var melding: String?

        enum CodingKeys: String, CodingKey { case journalpostId, journalpostferdigstilt, journalpostFerdigstilt, melding }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            journalpostId = container.lenient(LenientString.self, forKey: .journalpostId)
            finalised =
                (container.lenient(LenientBool.self, forKey: .journalpostferdigstilt)
                ?? container.lenient(LenientBool.self, forKey: .journalpostFerdigstilt))?.value
            melding = container.lenient(String.self, forKey: .melding)
        }
    }
}
