import AsyncHTTPClient
import Foundation

/// PDL, the person register (domain-reference.md 4.1): GraphQL `hentPerson` at `PDL_URL`.
public struct PdlClient: Sendable {
    let url: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(url: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(10)) {
        self.url = url
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "pdl", httpClient: httpClient, timeout: timeout)
    }

    static let existsQuery = "query($ident: ID!) { hentPerson(ident: $ident) { navn(historikk: false) { fornavn } } }"

    /// Whether PDL knows the person: true for a person, false for PDL's `not_found` (or a null
    /// `hentPerson`); any other error or status is an outage, not a verdict.
    public func personExists(_ identificationNumber: String) async throws -> Bool {
        let body = try JSONSerialization.data(withJSONObject: ["query": Self.existsQuery, "variables": ["ident": identificationNumber]])
        let answer = try await exchange.post(
            await url.resolve(), body: body,
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json"),
                ("behandlingsnummer", "B426"),
            ])
        guard answer.status == 200 else { throw DependencyUnavailable("pdl", "status \(answer.status)") }
        struct Response: Decodable {
            struct Data: Decodable {
                struct Person: Decodable {}
                var hentPerson: Person?
            }
            struct GraphQLError: Decodable {
                struct Extensions: Decodable { var code: String? }
                var message: String?
                var extensions: Extensions?
            }
            var data: Data?
            var errors: [GraphQLError]?
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: answer.body) else {
            throw DependencyUnavailable("pdl", "an answer we cannot read")
        }
        if let errors = response.errors, !errors.isEmpty {
            if errors.allSatisfy({ $0.extensions?.code == "not_found" }) { return false }
            throw DependencyUnavailable("pdl", "errors: \(errors.compactMap { $0.extensions?.code ?? $0.message }.joined(separator: ", "))")
        }
        return response.data?.hentPerson != nil
    }
}
