import AsyncHTTPClient
import Foundation

/// PDL, the person register (domain-reference.md 4.1): GraphQL `hentPerson` at `PDL_URL`.
public struct PdlClient: Sendable {
    let url: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange
    /// Post towns already asked for (``postTown(_:)``).
    let postTowns = PostTownCache()

    public init(
        url: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none,
        circuits: DependencyCircuits = .none,
        timeout: Duration = .seconds(10)
    ) {
        self.url = url
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "pdl", httpClient: httpClient, timeout: timeout, metrics: metrics, circuits: circuits)
    }

    static let existsQuery = "query($ident: ID!) { hentPerson(ident: $ident) { navn(historikk: false) { fornavn } } }"

    /// What PDL says of an identity number.
    public enum Presence: Sendable, Equatable {
        case exists
        /// `not_found`, or a null `hentPerson`.
        case notFound
        /// `bad_request` (`ugyldig_ident`): not an identity number PDL accepts. Permanent.
        case invalidIdentity
    }

    /// Whether PDL knows the person. Any other error, a 5xx or an unreadable answer is an outage
    /// (retried); `unauthenticated`/`unauthorized` and 401/403 are ``NavAccessDenied``.
    public func presence(of identificationNumber: String) async throws -> Presence {
        struct Data: Decodable {
            struct Person: Decodable {}
            var hentPerson: Person?
        }
        switch try await graphQL(Self.existsQuery, variables: ["ident": identificationNumber]) as GraphQLOutcome<Data> {
        case .data(let data): return data.hentPerson == nil ? .notFound : .exists
        case .notFound: return .notFound
        case .invalidIdentity: return .invalidIdentity
        }
    }
}
