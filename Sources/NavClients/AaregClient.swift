import AsyncHTTPClient
import Foundation

/// Aareg's employment overview (domain-reference.md 4.2):
/// `POST {AAREG_URL}/api/v2/arbeidstaker/arbeidsforholdoversikt`.
public struct AaregClient: Sendable {
    /// One employment: the legal entity that reports it and the place of work (sub-unit).
    public struct Arbeidsforhold: Sendable, Equatable {
        /// `opplysningspliktig`: the legal entity's organisation number, when it is an organisation.
        public var legalEntity: String?
        /// `arbeidssted`: the sub-unit's organisation number, when it is an organisation.
        public var workplace: String?

        public init(legalEntity: String?, workplace: String?) {
            self.legalEntity = legalEntity
            self.workplace = workplace
        }
    }

    let baseURL: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(
        baseURL: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none,
        circuits: DependencyCircuits = .none,
        timeout: Duration = .seconds(10)
    ) {
        self.baseURL = baseURL
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "aareg", httpClient: httpClient, timeout: timeout, metrics: metrics, circuits: circuits)
    }

    /// The person's employments; empty when Aareg knows none (including its 404).
    public func arbeidsforhold(of employee: String) async throws -> [Arbeidsforhold] {
        struct Request: Encodable {
            var arbeidstakerId: String
            var rapporteringsordninger = ["A_ORDNINGEN", "FOER_A_ORDNINGEN"]
        }
        let body = try RequestBody.json(Request(arbeidstakerId: employee))
        let answer = try await exchange.post(
            await baseURL.appending("/api/v2/arbeidstaker/arbeidsforholdoversikt"), body: body,
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json"),
                ("Accept", "application/json"),
            ])
        try answer.checkAccess("aareg")
        switch answer.status {
        case 200:
            guard let overview = try? JSONDecoder().decode(Overview.self, from: answer.body) else {
                throw DependencyUnavailable("aareg", "an answer we cannot read")
            }
            return (overview.arbeidsforholdoversikter ?? []).map {
                Arbeidsforhold(legalEntity: $0.opplysningspliktig?.organisationNumber, workplace: $0.arbeidssted?.organisationNumber)
            }
        case 404:
            return []
        default:
            throw DependencyUnavailable("aareg", "status \(answer.status)")
        }
    }

    /// The fields we read (docs/contracts/aareg.md); unknown fields and enum values are ignored
    /// (the Kotlin service failed on an unknown enum value), `gjeldende` is not needed, an
    /// employer that is a person (`type: "Person"`) simply has no organisation number, and an
    /// entry we cannot read is skipped rather than failing the others.
    struct Overview: Decodable {
        struct Entry: Decodable {
            var arbeidssted: Unit?
            var opplysningspliktig: Unit?
        }
        struct Unit: Decodable {
            struct Ident: Decodable {
                var type: String?
                var ident: LenientString?
            }
            var identer: [Ident]?
            /// The first ident of type ORGANISASJONSNUMMER, as the reference reads it.
            var organisationNumber: String? { identer?.first { $0.type == "ORGANISASJONSNUMMER" }?.ident?.value }
        }
        /// An entry, or nil when it cannot be read.
        struct Lenient<Value: Decodable>: Decodable {
            var value: Value?
            init(from decoder: any Decoder) throws { value = try? Value(from: decoder) }
        }
        var arbeidsforholdoversikter: [Entry]?

        enum CodingKeys: String, CodingKey { case arbeidsforholdoversikter }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            arbeidsforholdoversikter = try container.decodeIfPresent([Lenient<Entry>].self, forKey: .arbeidsforholdoversikter)?.compactMap(\.value)
        }
    }
}
