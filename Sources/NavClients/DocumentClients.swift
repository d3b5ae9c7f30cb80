import AsyncHTTPClient
import Domain
import Foundation

/// KRR, the contact register (domain-reference.md 4.4): the employee's phone and e-mail for the PDF.
public struct KrrClient: Sendable {
    public struct Contact: Sendable, Equatable {
        public var phone: String?
        public var email: String?

        public init(phone: String? = nil, email: String? = nil) {
            self.phone = phone
            self.email = email
        }
    }

    let url: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(
        url: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none,
        circuits: DependencyCircuits = .none
    ) {
        self.url = url
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "krr", httpClient: httpClient, timeout: .seconds(3), metrics: metrics, circuits: circuits)
    }

    /// The contact details, or none when KRR has no active entry for the person.
    public func contact(_ identificationNumber: String) async throws -> Contact {
        let answer = try await exchange.post(
            await url.resolve(), body: try JSONSerialization.data(withJSONObject: ["personidenter": [identificationNumber]]),
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json"),
                ("Nav-Call-Id", UUID().lowercasedString),
            ])
        try answer.checkAccess("krr")
        guard answer.status == 200 else { throw DependencyUnavailable("krr", "status \(answer.status)") }
        guard let response = try? JSONDecoder().decode(PersonsResponse.self, from: answer.body) else {
            throw DependencyUnavailable("krr", "an answer we cannot read")
        }
        // No entry (`feil`: person_ikke_funnet, strengt_fortrolig_adresse, …) or an inactive
        // one: nothing to show, which is an answer, not an outage.
        guard let person = response.personer?[identificationNumber], person.aktiv != false else { return Contact() }
        return Contact(phone: person.mobiltelefonnummer, email: person.epostadresse)
    }

    /// `POST /rest/v1/personer`'s answer (docs/contracts/krr.md): entries by identity number,
    /// and `feil` (a code per identity number) for those without one.
    struct PersonsResponse: Decodable {
        struct Person: Decodable {
            var aktiv: Bool?
            var mobiltelefonnummer: String?
            var epostadresse: String?

            enum CodingKeys: String, CodingKey { case aktiv, mobiltelefonnummer, epostadresse }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                aktiv = container.lenient(LenientBool.self, forKey: .aktiv)?.value
                mobiltelefonnummer = container.lenient(String.self, forKey: .mobiltelefonnummer)
                epostadresse = container.lenient(String.self, forKey: .epostadresse)
            }
        }
        var personer: [String: Person]?
        var feil: [String: String]?

        enum CodingKeys: String, CodingKey { case personer, feil }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            personer = container.lenient([String: Person].self, forKey: .personer)
            feil = container.lenient([String: String].self, forKey: .feil)
        }
    }
}

/// syfooppdfgen (domain-reference.md 4.5): renders the plan as a PDF. No auth.
public struct PdfGenClient: Sendable {
    let baseURL: EndpointURL
    let appName: String
    let exchange: HTTPExchange

    public init(
        baseURL: EndpointURL, appName: String, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none,
        circuits: DependencyCircuits = .none
    ) {
        self.baseURL = baseURL
        self.appName = appName
        self.exchange = HTTPExchange(dependency: "pdfgen", httpClient: httpClient, timeout: .seconds(30), metrics: metrics, circuits: circuits)
    }

    /// `{"lpsPlanData": …}` in, PDF bytes out.
    public func render(_ lpsPlanData: [String: Any]) async throws -> [UInt8] {
        let answer = try await exchange.post(
            await baseURL.appending("/api/v1/genpdf/oppfolging/oppfolgingsplanlps"),
            body: try JSONSerialization.data(withJSONObject: ["lpsPlanData": lpsPlanData]),
            headers: [("Content-Type", "application/json"), ("Nav-Consumer-Id", appName), ("Nav-Call-Id", UUID().lowercasedString)])
        try answer.checkAccess("pdfgen")
        guard answer.status == 200, answer.body.starts(with: Array("%PDF-".utf8)) else {
            throw DependencyUnavailable("pdfgen", "status \(answer.status) without a PDF")
        }
        return Array(answer.body)
    }
}

/// Ereg, the organisation register (domain-reference.md 4.8): the employer's name.
public struct EregClient: Sendable {
    let baseURL: EndpointURL
    let scope: String
    let appName: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(
        baseURL: EndpointURL, scope: String, appName: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared,
        metrics: ExternalCallMetrics = .none, circuits: DependencyCircuits = .none
    ) {
        self.baseURL = baseURL
        self.scope = scope
        self.appName = appName
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "ereg", httpClient: httpClient, timeout: .seconds(10), metrics: metrics, circuits: circuits)
    }

    /// `navn.sammensattnavn`, or nil when Ereg does not know the organisation.
    public func name(of organisation: String) async throws -> String? {
        let answer = try await exchange.get(
            await baseURL.appending("/ereg/api/v2/organisasjon/\(organisation)"),
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Accept", "application/json"),
                ("Nav-Consumer-Id", appName), ("Nav-Call-Id", UUID().lowercasedString),
            ])
        try answer.checkAccess("ereg")
        switch answer.status {
        case 200:
            guard let response = try? JSONDecoder().decode(OrganisationResponse.self, from: answer.body) else {
                throw DependencyUnavailable("ereg", "an answer we cannot read")
            }
            return response.name
        case 404:
            return nil
        default:
            throw DependencyUnavailable("ereg", "status \(answer.status)")
        }
    }
}

extension EregClient {
    /// `GET /ereg/api/v2/organisasjon/{orgnr}`'s answer, of which we read the name only
    /// (docs/contracts/ereg.md): `navn.sammensattnavn`, else the name lines joined.
    struct OrganisationResponse: Decodable {
        struct Name: Decodable {
            var sammensattnavn: String?
            var lines: [String]

            enum CodingKeys: String, CodingKey { case sammensattnavn, navnelinje1, navnelinje2, navnelinje3, navnelinje4, navnelinje5 }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                sammensattnavn = container.lenient(String.self, forKey: .sammensattnavn)
                lines = [CodingKeys.navnelinje1, .navnelinje2, .navnelinje3, .navnelinje4, .navnelinje5].compactMap {
                    container.lenient(String.self, forKey: $0)
                }
            }
        }
        var navn: Name?

        enum CodingKeys: String, CodingKey { case navn }

        init(from decoder: any Decoder) throws {
            navn = try decoder.container(keyedBy: CodingKeys.self).lenient(Name.self, forKey: .navn)
        }

        var name: String? {
            if let whole = navn?.sammensattnavn?.trimmingCharacters(in: .whitespaces), !whole.isEmpty { return whole }
            let joined = (navn?.lines ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            return joined.isEmpty ? nil : joined
        }
    }
}
