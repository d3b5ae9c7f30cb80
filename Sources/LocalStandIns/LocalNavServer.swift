import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import Synchronization

/// NAV's HTTP APIs on loopback, for `mottak dev` and the tests, in their real request and
/// response shapes (domain-reference.md 3.4, 4.1, 4.2): the Azure AD token endpoint
/// (`/azuread/token`), Aareg (`/aareg/api/v2/arbeidstaker/arbeidsforholdoversikt`) and PDL
/// (`/pdl/graphql`), answering from ``LocalNavFixtures``. Every request is recorded, and
/// failures can be injected per API (a status, a delay, N times then succeed).
public final class LocalNavServer: Service, Sendable {
    /// The APIs, as path prefixes.
    public enum API: String, Sendable, CaseIterable {
        case azureAD = "azuread"
        case aareg
        case pdl
    }

    /// A request as the stand-in received it.
    public struct RecordedRequest: Sendable {
        public var api: API
        public var path: String
        public var headers: HTTPFields
        public var body: Data
    }

    /// What to do instead of answering, for the next `times` requests to an API.
    public struct Failure: Sendable {
        public var status: Int?
        public var delay: Duration
        public var times: Int

        /// Answer `status` (e.g. 503) `times` times, then normally again.
        public static func status(_ status: Int, times: Int = .max) -> Failure { Failure(status: status, delay: .zero, times: times) }
        /// Answer normally, but only after `delay`.
        public static func delay(_ delay: Duration, times: Int = .max) -> Failure { Failure(status: nil, delay: delay, times: times) }
    }

    private struct State {
        var requests: [RecordedRequest] = []
        var failures: [API: Failure] = [:]
        var port: Int?
        var portWaiters: [CheckedContinuation<Int, Never>] = []
        var tokensIssued = 0
    }

    private let state = Mutex(State())
    private let requestedPort: Int
    private let logger: Logger

    public init(port: Int = 0, logger: Logger) {
        self.requestedPort = port
        self.logger = logger
    }

    // MARK: - For tests and dev

    public func inject(_ failure: Failure, into api: API) { state.withLock { $0.failures[api] = failure } }
    public func clearFailures() { state.withLock { $0.failures = [:] } }
    public func requests(to api: API) -> [RecordedRequest] { state.withLock { $0.requests.filter { $0.api == api } } }

    /// `http://127.0.0.1:<port>/<api>` once the server listens.
    public func baseURL(_ api: API) async -> String { "http://127.0.0.1:\(await port())/\(api.rawValue)" }

    public func port() async -> Int {
        await withCheckedContinuation { continuation in
            let known: Int? = state.withLock { state in
                if let port = state.port { return port }
                state.portWaiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    // MARK: - Serving

    public func run() async throws {
        let router = Router()
        router.post("/azuread/token") { [self] request, _ in
            try await answer(.azureAD, request) { body in
                let form = String(decoding: body, as: UTF8.self)
                guard form.contains("grant_type=client_credentials"), form.contains("client_id="), let scope = Self.formValue("scope", in: form) else {
                    return (400, #"{"error":"invalid_request"}"#)
                }
                let serial = state.withLock { state in
                    state.tokensIssued += 1
                    return state.tokensIssued
                }
                return (200, #"{"token_type":"Bearer","expires_in":3599,"access_token":"local-\#(serial)-\#(scope.count)"}"#)
            }
        }
        router.post("/aareg/api/v2/arbeidstaker/arbeidsforholdoversikt") { [self] request, _ in
            try await answer(.aareg, request, needsToken: true) { body in
                struct Query: Decodable { var arbeidstakerId: String }
                guard let query = try? JSONDecoder().decode(Query.self, from: body) else { return (400, #"{"meldinger":["bad request"]}"#) }
                guard let person = LocalNavFixtures.person(query.arbeidstakerId), !person.employments.isEmpty else {
                    return (404, #"{"meldinger":["Fant ikke arbeidstaker"]}"#)
                }
                let entries = person.employments.map { employment in
                    """
                    {"arbeidssted":{"type":"Underenhet","identer":[{"type":"ORGANISASJONSNUMMER","ident":"\(employment.workplace)","gjeldende":true}]},\
                    "opplysningspliktig":{"type":"Hovedenhet","identer":[{"type":"ORGANISASJONSNUMMER","ident":"\(employment.legalEntity)","gjeldende":true}]},\
                    "type":{"kode":"ordinaertArbeidsforhold"},"ansettelsesperiode":{"startdato":"2020-01-01"}}
                    """
                }
                return (200, #"{"arbeidsforholdoversikter":[\#(entries.joined(separator: ","))],"totalAntall":\#(entries.count)}"#)
            }
        }
        router.post("/pdl/graphql") { [self] request, _ in
            guard request.headers[HTTPField.Name("behandlingsnummer")!] == "B426" else {
                return Self.response(400, #"{"errors":[{"message":"Header 'behandlingsnummer' mangler"}]}"#)
            }
            return try await answer(.pdl, request, needsToken: true) { body in
                struct Query: Decodable {
                    struct Variables: Decodable { var ident: String }
                    var variables: Variables
                }
                guard let query = try? JSONDecoder().decode(Query.self, from: body) else { return (400, #"{"errors":[{"message":"bad request"}]}"#) }
                guard let person = LocalNavFixtures.person(query.variables.ident), person.inPdl else {
                    return (200, #"{"errors":[{"message":"Fant ikke person","extensions":{"code":"not_found","classification":"ExecutionAborted"}}],"data":{"hentPerson":null}}"#)
                }
                return (200, #"{"data":{"hentPerson":{"navn":[{"fornavn":"Kari","mellomnavn":null,"etternavn":"Nordmann"}],"adressebeskyttelse":[],"bostedsadresse":[]}}}"#)
            }
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: requestedPort), serverName: nil),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                let waiters = state.withLock { state in
                    state.port = port
                    defer { state.portWaiters = [] }
                    return state.portWaiters
                }
                for waiter in waiters { waiter.resume(returning: port) }
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    /// Records the request, applies an injected failure, checks the bearer token, then answers.
    private func answer(
        _ api: API, _ request: Request, needsToken: Bool = false, _ respond: (Data) throws -> (Int, String)
    ) async throws -> Response {
        let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
        let failure: Failure? = state.withLock { state in
            state.requests.append(RecordedRequest(api: api, path: request.uri.path, headers: request.headers, body: body))
            guard var failure = state.failures[api], failure.times > 0 else { return nil }
            failure.times -= 1
            state.failures[api] = failure.times > 0 ? failure : nil
            return failure
        }
        if let failure {
            if failure.delay > .zero { try await Task.sleep(for: failure.delay) }
            if let status = failure.status { return Self.response(status, #"{"message":"injected failure"}"#) }
        }
        if needsToken {
            guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer local-") else {
                return Self.response(401, #"{"message":"missing or unknown token"}"#)
            }
        }
        let (status, json) = try respond(body)
        return Self.response(status, json)
    }

    private static func response(_ status: Int, _ json: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    private static func formValue(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return String(parts[1]).removingPercentEncoding }
        }
        return nil
    }
}
