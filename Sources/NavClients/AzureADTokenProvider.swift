import AsyncHTTPClient
import Crypto
import Foundation
import Logging

/// Azure AD client-credentials tokens for NAV's APIs (domain-reference.md 3.4): one per scope
/// (`api://<scope>/.default`), cached and fetched anew when less than a minute remains. A token
/// that cannot be had throws ``DependencyUnavailable``: the call is retried, never sent with an
/// empty bearer (the Kotlin service sent `Bearer null`).
///
/// Also the on-behalf-of exchange (``onBehalfOf(_:scope:)``) of a case worker's token for a
/// token to istilgangskontroll, cached per incoming token and scope until it nearly expires
/// (the original exchanged on every request: a Modia page of plans is one exchange, not one
/// per request).
public actor AzureADTokenProvider {
    private struct Token {
        var value: String
        var expiresAt: ContinuousClock.Instant
    }

    private let tokenEndpoint: EndpointURL
    private let clientID: String
    private let clientSecret: String
    private let exchange: HTTPExchange
    private let logger: Logger
    private var tokens: [String: Token] = [:]
    private var inFlight: [String: Task<Token, any Error>] = [:]
    /// On-behalf-of tokens by scope and the SHA-256 of the incoming token (never the token itself).
    private var onBehalfOfTokens: [String: Token] = [:]
    private let onBehalfOfCapacity = 10_000

    public init(
        tokenEndpoint: EndpointURL, clientID: String, clientSecret: String, httpClient: HTTPClient = .shared, metrics: ExternalCallMetrics = .none,
        circuits: DependencyCircuits = .none,
        logger: Logger
    ) {
        self.tokenEndpoint = tokenEndpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.exchange = HTTPExchange(dependency: "azuread", httpClient: httpClient, timeout: .seconds(10), metrics: metrics, circuits: circuits)
        self.logger = logger
    }

    /// A bearer token for `scope` (as the `*_SCOPE` variables give it, e.g. `dev-fss.pdl.pdl-api`).
    public func token(scope: String) async throws -> String {
        if let token = tokens[scope], ContinuousClock.now.duration(to: token.expiresAt) > .seconds(60) { return token.value }
        if let task = inFlight[scope] { return try await task.value.value }
        let task = Task { [exchange, tokenEndpoint, clientID, clientSecret] in
            try await Self.fetch(scope: scope, exchange: exchange, endpoint: tokenEndpoint, clientID: clientID, clientSecret: clientSecret)
        }
        inFlight[scope] = task
        defer { inFlight[scope] = nil }
        let token = try await task.value
        tokens[scope] = token
        return token.value
    }

    /// A token for `scope` on behalf of the user of `assertion` (their verified Azure AD token):
    /// the jwt-bearer grant with `requested_token_use=on_behalf_of` (docs/contracts/azuread.md).
    public func onBehalfOf(_ assertion: String, scope: String) async throws -> String {
        let key = scope + " " + SHA256.hash(data: Data(assertion.utf8)).map { String(format: "%02x", $0) }.joined()
        if let token = onBehalfOfTokens[key], ContinuousClock.now.duration(to: token.expiresAt) > .seconds(60) { return token.value }
        let token = try await Self.fetch(
            form: [
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("client_id", clientID), ("client_secret", clientSecret),
                ("assertion", assertion), ("scope", "api://\(scope)/.default"), ("requested_token_use", "on_behalf_of"),
            ], scope: scope, exchange: exchange, endpoint: tokenEndpoint)
        if onBehalfOfTokens.count >= onBehalfOfCapacity {
            let now = ContinuousClock.now
            onBehalfOfTokens = onBehalfOfTokens.filter { now < $0.value.expiresAt }
            if onBehalfOfTokens.count >= onBehalfOfCapacity { onBehalfOfTokens.removeAll(keepingCapacity: true) }
        }
        onBehalfOfTokens[key] = token
        return token.value
    }

    private static func fetch(scope: String, exchange: HTTPExchange, endpoint: EndpointURL, clientID: String, clientSecret: String) async throws
        -> Token
    {
        try await fetch(
            form: [
                ("client_id", clientID), ("client_secret", clientSecret), ("grant_type", "client_credentials"),
                ("scope", "api://\(scope)/.default"),
            ], scope: scope, exchange: exchange, endpoint: endpoint)
    }

    private static func fetch(form fields: [(String, String)], scope: String, exchange: HTTPExchange, endpoint: EndpointURL) async throws -> Token {
        let form = fields.map { "\($0.0)=\(formEncoded($0.1))" }.joined(separator: "&")
        let answer = try await exchange.post(
            await endpoint.resolve(), body: Data(form.utf8), headers: [("Content-Type", "application/x-www-form-urlencoded")])
        // 400 (invalid_scope, unauthorized_client) and 401 (invalid_client: a wrong or expired
        // secret) will not change on retry: our access is wrong (docs/contracts/azuread.md).
        if [400, 401, 403].contains(answer.status) { throw NavAccessDenied("azuread", status: answer.status) }
        guard answer.status == 200, let response = try? JSONDecoder().decode(TokenResponse.self, from: answer.body), !response.accessToken.isEmpty
        else {
            throw DependencyUnavailable("azuread", "no token for \(scope): status \(answer.status)")
        }
        return Token(value: response.accessToken, expiresAt: .now + .seconds(Int(response.expiresIn.value) ?? 300))
    }

    private static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// The token endpoint's answer (RFC 6749 5.1); `expires_in` read as a number or a string.
struct TokenResponse: Decodable {
    var accessToken: String
    var expiresIn: LenientString

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
    }
}
