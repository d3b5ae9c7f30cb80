import AsyncHTTPClient
import Domain
import Foundation

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
