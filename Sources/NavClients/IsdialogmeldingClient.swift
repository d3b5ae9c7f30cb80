import AsyncHTTPClient
import Domain
import Foundation

/// isdialogmelding (domain-reference.md 4.6): the plan to the employee's GP (fastlege).
public struct IsdialogmeldingClient: Sendable {
    public enum Outcome: Sendable, Equatable {
        case sent
        /// 404: no registered GP (fastlege or substitute), or the GP's office cannot receive
        /// messages. Permanent.
        case generalPractitionerNotFound
        /// 400: isdialogmelding will never take this message (its answer is plain text, e.g. an
        /// invalid identity number). Permanent: retrying sends the same message again.
        case refused
        /// Any other answer (5xx, 409, …): isdialogmelding did not take the message; try again later.
        case notAccepted(status: Int)
    }

    let baseURL: EndpointURL
    let scope: String
    let tokens: AzureADTokenProvider
    let exchange: HTTPExchange

    public init(
        baseURL: EndpointURL, scope: String, tokens: AzureADTokenProvider, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none,
        circuits: DependencyCircuits = .none
    ) {
        self.baseURL = baseURL
        self.scope = scope
        self.tokens = tokens
        self.exchange = HTTPExchange(
            dependency: "isdialogmelding", httpClient: httpClient, timeout: .seconds(30), metrics: metrics, circuits: circuits)
    }

    /// Throws when no answer came (connection lost, timeout: the message may or may not have
    /// been taken), and ``NavAccessDenied`` for 401/403 (certainly not taken).
    public func send(pdf: [UInt8], to employee: String) async throws -> Outcome {
        struct Request: Encodable {
            var sykmeldtFnr: String
            /// Base64, JSONEncoder's way with `Data`.
            var oppfolgingsplanPdf: Data
        }
        let answer = try await exchange.post(
            await baseURL.appending("/api/v2/send/oppfolgingsplan"),
            body: try RequestBody.json(Request(sykmeldtFnr: employee, oppfolgingsplanPdf: Data(pdf))),
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json"),
                ("Nav-Call-Id", UUID().lowercasedString),
            ])
        // The bodies are plain text (docs/contracts/isdialogmelding.md): only the status counts.
        try answer.checkAccess("isdialogmelding")
        switch answer.status {
        case 200...299: return .sent
        case 404: return .generalPractitionerNotFound
        case 400: return .refused
        default: return .notAccepted(status: answer.status)
        }
    }
}
