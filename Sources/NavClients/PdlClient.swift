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

    /// What PDL says of an identity number: the lookup's rule 9 (the person exists) and, for a
    /// person it knows, what the PDF shows, from one `hentPerson` (#28: the lookup asked twice,
    /// once whether the person exists and once for the PDF's name and address).
    public enum PersonAnswer: Sendable, Equatable {
        case found(PersonDetails)
        /// `not_found`, or a null `hentPerson`.
        case notFound
        /// `bad_request` (`ugyldig_ident`): not an identity number PDL accepts. Permanent.
        case invalidIdentity
    }
}
