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
        struct Request: Encodable { var personidenter: [String] }
        let answer = try await exchange.post(
            await url.resolve(), body: try RequestBody.json(Request(personidenter: [identificationNumber])),
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
