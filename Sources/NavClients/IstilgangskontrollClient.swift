import AsyncHTTPClient
import Domain
import Foundation

/// istilgangskontroll (team teamsykefravr): may this case worker see this person? As the
/// original asks it (`client/veiledertilgang/VeilederTilgangskontrollClient.kt`,
/// domain-reference.md 9.1 and 14.5; docs/contracts/istilgangskontroll.md): `GET {url}/api/tilgang/navident/person` with an
/// on-behalf-of token for the case worker, `nav-personident`, `Nav-Call-Id`, answered
/// `{"erGodkjent": bool}`.
///
/// Unlike the original, whose HTTP client parsed any answer as that body, only 200 and 403
/// are answers: 403 (how istilgangskontroll refuses) and `erGodkjent: false` are "no"; every
/// other status, a body without `erGodkjent`, a timeout or a failed token exchange throws
/// ``DependencyUnavailable``: we cannot tell, so the caller must not serve.
public struct IstilgangskontrollClient: Sendable {
    let baseURL: EndpointURL
    /// `ISTILGANGSKONTROLL_CLIENT_ID` (`<cluster>.teamsykefravr.istilgangskontroll`).
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(
        baseURL: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(5),
        metrics: ExternalCallMetrics = .none, circuits: DependencyCircuits = .none
    ) {
        self.baseURL = baseURL
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "istilgangskontroll", httpClient: httpClient, timeout: timeout, metrics: metrics, circuits: circuits)
    }

    /// Whether the case worker whose Azure AD token is `staffToken` may see `person`'s data.
    public func mayAccess(person: String, staffToken: String, callID: String) async throws -> Bool {
        let onBehalfOf: String
        do {
            onBehalfOf = try await tokens.onBehalfOf(staffToken, scope: scope)
        } catch {
            throw DependencyUnavailable("istilgangskontroll", "no on-behalf-of token: \(error)")
        }
        let answer = try await exchange.get(
            await baseURL.resolve() + "/api/tilgang/navident/person",
            headers: [
                ("Authorization", "Bearer \(onBehalfOf)"), ("nav-personident", person), ("Nav-Call-Id", callID), ("Accept", "application/json"),
            ])
        if answer.status == 403 { return false }
        guard answer.status == 200 else { throw DependencyUnavailable("istilgangskontroll", "status \(answer.status)") }
        struct Tilgang: Decodable { var erGodkjent: Bool }
        guard let tilgang = try? JSONDecoder().decode(Tilgang.self, from: answer.body) else {
            throw DependencyUnavailable("istilgangskontroll", "an answer without erGodkjent")
        }
        return tilgang.erGodkjent
    }
}
