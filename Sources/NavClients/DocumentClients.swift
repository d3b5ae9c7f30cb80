import AsyncHTTPClient
import Foundation

/// KRR, the contact register (domain-reference.md 4.4): the employee's phone and e-mail for the PDF.
public struct KrrClient: Sendable {
    public struct Contact: Sendable, Equatable {
        public var phone: String?
        public var email: String?
    }

    let url: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(url: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none) {
        self.url = url
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "krr", httpClient: httpClient, timeout: .seconds(10), metrics: metrics)
    }

    /// The contact details, or none when KRR has no entry for the person.
    public func contact(_ identificationNumber: String) async throws -> Contact {
        let answer = try await exchange.post(
            await url.resolve(), body: try JSONSerialization.data(withJSONObject: ["personidenter": [identificationNumber]]),
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json"),
                ("Nav-Call-Id", UUID().uuidString.lowercased()),
            ])
        guard answer.status == 200 else { throw DependencyUnavailable("krr", "status \(answer.status)") }
        struct Response: Decodable {
            struct Person: Decodable {
                var mobiltelefonnummer: String?
                var epostadresse: String?
            }
            var personer: [String: Person]?
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: answer.body) else {
            throw DependencyUnavailable("krr", "an answer we cannot read")
        }
        let person = response.personer?[identificationNumber]
        return Contact(phone: person?.mobiltelefonnummer, email: person?.epostadresse)
    }
}

/// syfooppdfgen (domain-reference.md 4.5): renders the plan as a PDF. No auth.
public struct PdfGenClient: Sendable {
    let baseURL: EndpointURL
    let appName: String
    let exchange: HTTPExchange

    public init(baseURL: EndpointURL, appName: String, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none) {
        self.baseURL = baseURL
        self.appName = appName
        self.exchange = HTTPExchange(dependency: "pdfgen", httpClient: httpClient, timeout: .seconds(30), metrics: metrics)
    }

    /// `{"lpsPlanData": …}` in, PDF bytes out.
    public func render(_ lpsPlanData: [String: Any]) async throws -> [UInt8] {
        let answer = try await exchange.post(
            await baseURL.appending("/api/v1/genpdf/oppfolging/oppfolgingsplanlps"),
            body: try JSONSerialization.data(withJSONObject: ["lpsPlanData": lpsPlanData]),
            headers: [("Content-Type", "application/json"), ("Nav-Consumer-Id", appName), ("Nav-Call-Id", UUID().uuidString.lowercased())])
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

    public init(baseURL: EndpointURL, scope: String, appName: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none) {
        self.baseURL = baseURL
        self.scope = scope
        self.appName = appName
        self.tokens = tokens
        self.exchange = HTTPExchange(dependency: "ereg", httpClient: httpClient, timeout: .seconds(10), metrics: metrics)
    }

    /// `navn.sammensattnavn`, or nil when Ereg does not know the organisation.
    public func name(of organisation: String) async throws -> String? {
        let answer = try await exchange.get(
            await baseURL.appending("/ereg/api/v2/organisasjon/\(organisation)"),
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Accept", "application/json"),
                ("Nav-Consumer-Id", appName), ("Nav-Call-Id", UUID().uuidString.lowercased()),
            ])
        switch answer.status {
        case 200:
            struct Response: Decodable {
                struct Name: Decodable { var sammensattnavn: String? }
                var navn: Name?
            }
            guard let response = try? JSONDecoder().decode(Response.self, from: answer.body) else {
                throw DependencyUnavailable("ereg", "an answer we cannot read")
            }
            return response.navn?.sammensattnavn
        case 404:
            return nil
        default:
            throw DependencyUnavailable("ereg", "status \(answer.status)")
        }
    }
}
