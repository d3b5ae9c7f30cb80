import AsyncHTTPClient
import Foundation

/// PDL, the person register (domain-reference.md 4.1): GraphQL `hentPerson` at `PDL_URL`.
public struct PdlClient: Sendable {
    let url: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(url: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none, timeout: Duration = .seconds(10)) {
        self.url = url
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "pdl", httpClient: httpClient, timeout: timeout, metrics: metrics)
    }

    static let existsQuery = "query($ident: ID!) { hentPerson(ident: $ident) { navn(historikk: false) { fornavn } } }"

    /// Whether PDL knows the person: true for a person, false for PDL's `not_found` (or a null
    /// `hentPerson`); any other error or status is an outage, not a verdict.
    public func personExists(_ identificationNumber: String) async throws -> Bool {
        struct Data: Decodable {
            struct Person: Decodable {}
            var hentPerson: Person?
        }
        let data: Data? = try await graphQL(Self.existsQuery, variables: ["ident": identificationNumber])
        return data?.hentPerson != nil
    }
}
