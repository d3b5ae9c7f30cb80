import AsyncHTTPClient
import Domain
import Foundation

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
    public func render(_ lpsPlanData: LpsPlanData) async throws -> [UInt8] {
        let answer = try await exchange.post(
            await baseURL.appending("/api/v1/genpdf/oppfolging/oppfolgingsplanlps"),
            body: try RequestBody.json(["lpsPlanData": lpsPlanData]),
            headers: [("Content-Type", "application/json"), ("Nav-Consumer-Id", appName), ("Nav-Call-Id", UUID().lowercasedString)])
        try answer.checkAccess("pdfgen")
        guard answer.status == 200, answer.body.starts(with: Array("%PDF-".utf8)) else {
            throw DependencyUnavailable("pdfgen", "status \(answer.status) without a PDF")
        }
        return Array(answer.body)
    }
}
