import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import Synchronization
import TokenVerification

/// NAV's HTTP APIs on loopback, for `mottak-dev` and the tests, in the request and response
/// shapes the real APIs use as NAV's own public code reads them (docs/contracts/, one file per
/// API, with sources), each under `/<api>` (``API``): the Azure AD token endpoint, Aareg, PDL
/// (`hentPerson`, `sokAdresse`), KRR, pdfgen (a real small PDF), Ereg, dokarkiv (string ids;
/// 409 with the same journal post for an `eksternReferanseId` it has seen) and isdialogmelding
/// (plain-text bodies; 404 for a person without GP), istilgangskontroll (who may see a person:
/// not one with a protected address) and, for NAV staff, Azure AD's OpenID configuration, keys
/// and on-behalf-of exchange (``LocalAzureADIssuer``), answering from ``LocalNavFixtures``,
/// whose people include the real answers' variants. Every request is recorded, and failures
/// can be injected per API (a status, a delay, a given answer; N times, then normal again).
public final class LocalNavServer: Service, Sendable {
    /// The APIs, as path prefixes.
    public enum API: String, Sendable, CaseIterable {
        case azureAD = "azuread"
        case aareg
        case pdl
        case krr
        case pdfgen
        case ereg
        case dokarkiv
        case isdialogmelding
        case istilgangskontroll
    }

    /// A request as the stand-in received it.
    public struct RecordedRequest: Sendable {
        public var api: API
        public var path: String
        public var headers: HTTPFields
        public var body: Data
        /// The status the stand-in answered with; nil while the answer is still being made.
        public var status: Int?
    }

    /// What to do instead of answering, for the next `times` requests to an API.
    public struct Failure: Sendable {
        public var status: Int?
        public var delay: Duration
        public var times: Int
        /// The body of the `status` answer, and its content type.
        public var body = #"{"message":"injected failure"}"#
        public var contentType = "application/json"
        /// Only requests whose body contains this text fail (one plan's journal post, say, by
        /// its employee's identification number); the others are answered as usual.
        public var matching: String?

        /// Answer `status` (e.g. 503) `times` times, then normally again.
        public static func status(_ status: Int, times: Int = .max) -> Failure { Failure(status: status, delay: .zero, times: times) }
        /// Answer normally, but only after `delay`.
        public static func delay(_ delay: Duration, times: Int = .max) -> Failure { Failure(status: nil, delay: delay, times: times) }
        /// Answer exactly this (a recorded sample of the real API, say) `times` times.
        public static func answer(_ status: Int, body: String, contentType: String = "application/json", times: Int = .max) -> Failure {
            Failure(status: status, delay: .zero, times: times, body: body, contentType: contentType)
        }
    }

    private struct State {
        var requests: [RecordedRequest] = []
        var failures: [API: Failure] = [:]
        var tokensIssued = 0
        /// dokarkiv: journal post id by eksternReferanseId.
        var journalPosts: [String: Int] = [:]
    }

    private let listening = ListeningPort()
    private let state = Mutex(State())
    private let requestedPort: Int
    private let logger: Logger
    /// NAV staff's issuer: its keys, and the on-behalf-of tokens the token endpoint mints.
    public let azureAD: LocalAzureADIssuer
    /// Its public key as a verifier reads it, made once (not per request: a benchmark measures
    /// the service, not the stand-in).
    private let azureADKeys: JSONWebKeySet

    public init(port: Int = 0, azureAD: LocalAzureADIssuer? = nil, logger: Logger) throws {
        self.requestedPort = port
        let azureAD = try azureAD ?? LocalAzureADIssuer()
        self.azureAD = azureAD
        self.azureADKeys = try JSONWebKeySet(json: LocalSigningKey.jwksDocument(of: [azureAD.key]))
        self.logger = logger
    }

    // MARK: - For tests and dev

    public func inject(_ failure: Failure, into api: API) { state.withLock { $0.failures[api] = failure } }
    public func clearFailures() { state.withLock { $0.failures = [:] } }
    public func requests(to api: API) -> [RecordedRequest] { state.withLock { $0.requests.filter { $0.api == api } } }

    /// `http://127.0.0.1:<port>/<api>` once the server listens.
    public func baseURL(_ api: API) async -> String { "http://127.0.0.1:\(await port())/\(api.rawValue)" }

    public func port() async -> Int {
        await listening.wait()
    }

    // MARK: - Serving

    public func run() async throws {
        let router = Router()
        router.post("/azuread/token") { [self] request, _ in
            try await answer(.azureAD, request) { body in try tokenAnswer(String(decoding: body, as: UTF8.self)) }
        }
        router.get("/azuread/.well-known/openid-configuration") { [self] _, _ in
            let base = await baseURL(.azureAD)
            let document: [String: Any] = [
                "issuer": azureAD.issuer, "jwks_uri": "\(base)/discovery/v2.0/keys", "token_endpoint": "\(base)/token",
                "id_token_signing_alg_values_supported": ["RS256"],
            ]
            return Self.response(200, String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self))
        }
        router.get("/azuread/discovery/v2.0/keys") { [self] _, _ in
            Self.response(200, String(decoding: try LocalSigningKey.jwksDocument(of: [azureAD.key]), as: UTF8.self))
        }
        router.get("/istilgangskontroll/api/tilgang/navident/person") { [self] request, _ in
            try await answer(.istilgangskontroll, request) { _ in try accessAnswer(request.headers) }
        }
        router.post("/aareg/api/v2/arbeidstaker/arbeidsforholdoversikt") { [self] request, _ in
            try await answer(.aareg, request, needsToken: true) { body in
                struct Query: Decodable { var arbeidstakerId: String }
                guard let query = try? JSONDecoder().decode(Query.self, from: body) else { return (400, #"{"meldinger":["bad request"]}"#) }
                let person = LocalNavFixtures.person(query.arbeidstakerId)
                var entries = (person?.employments ?? []).map { employment in
                    // `gjeldende` is optional on the wire; the variant person's idents leave it out.
                    let current = person?.aaregPersonEmployer == true ? "" : #","gjeldende":true"#
                    return """
                        {"type":{"kode":"ordinaertArbeidsforhold","beskrivelse":"Ordinært arbeidsforhold"},\
                        "arbeidstaker":{"identer":[{"type":"FOLKEREGISTERIDENT","ident":"\(query.arbeidstakerId)"\(current)}]},\
                        "arbeidssted":{"type":"Underenhet","identer":[{"type":"ORGANISASJONSNUMMER","ident":"\(employment.workplace)"\(current)}]},\
                        "opplysningspliktig":{"type":"Hovedenhet","identer":[{"type":"ORGANISASJONSNUMMER","ident":"\(employment.legalEntity)"\(current)}]},\
                        "startdato":"2020-01-01","yrke":{"kode":"1231119","beskrivelse":"KONTORLEDER"},"avtaltStillingsprosent":100.0,\
                        "rapporteringsordning":{"kode":"A_ORDNINGEN"},"navArbeidsforholdId":12345}
                        """
                }
                if person?.aaregPersonEmployer == true {
                    // A private person as employer: identified by person idents, no organisation number.
                    entries.append(
                        """
                        {"type":{"kode":"ordinaertArbeidsforhold"},"arbeidssted":{"type":"Person","identer":[{"type":"AKTORID","ident":"2175141353812"},\
                        {"type":"FOLKEREGISTERIDENT","ident":"01017012345"}]},"opplysningspliktig":{"type":"Person","identer":[{"type":"AKTORID",\
                        "ident":"2175141353812"}]},"startdato":"2021-05-01"}
                        """)
                }
                // Aareg answers an empty overview, not an error, for a person without employments.
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
                if String(decoding: body, as: UTF8.self).contains("sokAdresse") {
                    return (200, #"{"data":{"sokAdresse":{"hits":[{"vegadresse":{"poststed":"OSLO"}}]}}}"#)
                }
                guard let query = try? JSONDecoder().decode(Query.self, from: body) else { return (400, #"{"errors":[{"message":"bad request"}]}"#) }
                let person = LocalNavFixtures.person(query.variables.ident)
                if person?.pdlRefusesIdentity == true {
                    return (
                        200,
                        #"{"errors":[{"message":"Ugyldig ident","locations":[{"line":1,"column":22}],"path":["hentPerson"],"extensions":{"id":"ugyldig_ident","code":"bad_request","classification":"ValidationError"}}],"data":{"hentPerson":null}}"#
                    )
                }
                guard let person, person.inPdl else {
                    return (
                        200,
                        #"{"errors":[{"message":"Fant ikke person","locations":[{"line":1,"column":22}],"path":["hentPerson"],"extensions":{"code":"not_found","classification":"ExecutionAborted"}}],"data":{"hentPerson":null}}"#
                    )
                }
                // PDL sends an empty list for a person without address protection.
                let protection = person.addressProtection == "UGRADERT" ? "[]" : #"[{"gradering":"\#(person.addressProtection)"}]"#
                return (
                    200,
                    #"{"data":{"hentPerson":{"navn":[{"fornavn":"Kari","mellomnavn":null,"etternavn":"Nordmann"}],"adressebeskyttelse":\#(protection),"bostedsadresse":[{"vegadresse":{"adressenavn":"Fancy gate","husnummer":"1","husbokstav":"A","postnummer":"1234","bruksenhetsnummer":null}}]}}}"#
                )
            }
        }
        router.post("/krr") { [self] request, _ in
            try await answer(.krr, request, needsToken: true) { body in
                struct Query: Decodable { var personidenter: [String] }
                guard let query = try? JSONDecoder().decode(Query.self, from: body), let ident = query.personidenter.first else { return (400, "{}") }
                switch LocalNavFixtures.person(ident)?.krr ?? .failure("person_ikke_funnet") {
                case .active:
                    return (
                        200,
                        #"{"personer":{"\#(ident)":{"personident":"\#(ident)","aktiv":true,"kanVarsles":true,"reservert":false,"spraak":"nb","epostadresse":"ansatt@example.no","epostadresseOppdatert":"2024-01-04T12:00:00Z","mobiltelefonnummer":"+4799999999","mobiltelefonnummerOppdatert":"2024-01-04T12:00:00Z"}},"feil":{}}"#
                    )
                case .inactive:
                    return (
                        200, #"{"personer":{"\#(ident)":{"personident":"\#(ident)","aktiv":false,"kanVarsles":false,"reservert":false}},"feil":{}}"#
                    )
                case .failure(let code):
                    return (200, #"{"personer":{},"feil":{"\#(ident)":"\#(code)"}}"#)
                }
            }
        }
        router.post("/pdfgen/api/v1/genpdf/oppfolging/oppfolgingsplanlps") { [self] request, _ in
            let body = Data(buffer: try await request.body.collect(upTo: 4 << 20))
            let (index, failure) = record(.pdfgen, request, body)
            let response = try await applyFailure(failure) ?? Self.pdf(for: body)
            recordAnswer(index, response.status.code)
            return response
        }
        router.get("/ereg/ereg/api/v2/organisasjon/{orgnr}") { [self] request, context in
            try await answer(.ereg, request, needsToken: true) { _ in
                let orgnr = context.parameters.get("orgnr") ?? ""
                guard orgnr == LocalNavFixtures.workplace || orgnr == LocalNavFixtures.legalEntity else {
                    return (404, #"{"melding":"Ikke funnet"}"#)
                }
                return (
                    200,
                    #"{"organisasjonsnummer":"\#(orgnr)","navn":{"sammensattnavn":"Lokal Arbeidsgiver AS","navnelinje1":"Lokal Arbeidsgiver AS"}}"#
                )
            }
        }
        router.post("/dokarkiv/rest/journalpostapi/v1/journalpost") { [self] request, _ in
            try await answer(.dokarkiv, request, needsToken: true) { body in
                struct Post: Decodable {
                    struct Person: Decodable { var id: String }
                    var eksternReferanseId: String
                    var tema: String
                    var journalpostType: String
                    var journalfoerendeEnhet: String?
                    var bruker: Person
                }
                // `journalfoerendeEnhet` is a string in dokarkiv's contract: a number is refused.
                guard let post = try? JSONDecoder().decode(Post.self, from: body), post.tema == "OPP", post.journalpostType == "INNGAAENDE" else {
                    return (
                        400,
                        #"{"timestamp":"2026-01-01T00:00:00.000+00:00","status":400,"error":"Bad Request","message":"Ugyldig journalpost","path":"/rest/journalpostapi/v1/journalpost"}"#
                    )
                }
                let finishes = LocalNavFixtures.person(post.bruker.id)?.dokarkivFinishes ?? true
                let (id, existed) = state.withLock { state -> (Int, Bool) in
                    if let id = state.journalPosts[post.eksternReferanseId] { return (id, true) }
                    let id = 600_000_000 + state.journalPosts.count + 1
                    state.journalPosts[post.eksternReferanseId] = id
                    return (id, false)
                }
                // Ids are JSON strings on the wire (docs/contracts/dokarkiv.md).
                let finished =
                    finishes
                    ? #""journalpostferdigstilt":true,"journalstatus":"JOURNALFOERT","melding":null"#
                    : #""journalpostferdigstilt":false,"journalstatus":"MOTTATT","melding":"Journalposten kunne ikke ferdigstilles automatisk""#
                return (existed ? 409 : 201, #"{"journalpostId":"\#(id)",\#(finished),"dokumenter":[{"dokumentInfoId":"\#(id + 1)"}]}"#)
            }
        }
        router.post("/isdialogmelding/api/v2/send/oppfolgingsplan") { [self] request, _ in
            try await answer(.isdialogmelding, request, needsToken: true, contentType: "text/plain; charset=UTF-8") { body in
                struct Message: Decodable {
                    var sykmeldtFnr: String
                    var oppfolgingsplanPdf: String
                }
                // Plain-text answers, as isdialogmelding's OppfolgingsplanSystemApi gives them.
                guard let message = try? JSONDecoder().decode(Message.self, from: body), Data(base64Encoded: message.oppfolgingsplanPdf) != nil else {
                    return (400, "Feil ved sending av OP til lege!")
                }
                let person = LocalNavFixtures.person(message.sykmeldtFnr)
                if person?.isdialogmeldingRefuses == true { return (400, "Invalid personident") }
                guard let person, person.hasGeneralPractitioner else { return (404, "Feil ved sending av oppfølgingsplan, FastlegeIkkeFunnet") }
                return (200, "Vellykket deling av oppfolgingsplan med lege!")
            }
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: requestedPort), serverName: nil),
            onServerRunning: { [listening] channel in listening.announce(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    /// The token endpoint: client credentials (an opaque `local-…` token), or the on-behalf-of
    /// exchange of a case worker's token (checked against the local Azure AD's key, as Azure
    /// AD checks it; `invalid_grant` otherwise) for a token to the scope's application that
    /// carries the case worker's `NAVident`.
    private func tokenAnswer(_ form: String) throws -> (Int, String) {
        guard Self.formValue("client_id", in: form) != nil, let scope = Self.formValue("scope", in: form) else {
            return (400, #"{"error":"invalid_request"}"#)
        }
        let serial = state.withLock { state in
            state.tokensIssued += 1
            return state.tokensIssued
        }
        switch Self.formValue("grant_type", in: form) {
        case "client_credentials":
            return (200, #"{"token_type":"Bearer","expires_in":3599,"access_token":"local-\#(serial)-\#(scope.count)"}"#)
        case "urn:ietf:params:oauth:grant-type:jwt-bearer":
            guard Self.formValue("requested_token_use", in: form) == "on_behalf_of", let assertion = Self.formValue("assertion", in: form),
                let claims = try? SignedJWT.verifiedClaims(of: assertion, keys: azureADKeys),
                (try? SignedJWT.checkTimes(claims, now: Date(), leeway: .zero)) != nil, let navIdent = claims["NAVident"] as? String
            else {
                return (400, #"{"error":"invalid_grant","error_description":"AADSTS50013: Assertion failed signature validation."}"#)
            }
            // Azure AD's audience is the target's client id; here, `api://<name>/.default` → `<name>`.
            let audience = scope.replacingOccurrences(of: "api://", with: "").replacingOccurrences(of: "/.default", with: "")
            let token = try azureAD.token(navIdent: navIdent, audience: audience, lifetime: 3_600, claims: ["obo_serial": serial])
            return (200, #"{"token_type":"Bearer","scope":"\#(scope)","expires_in":3599,"ext_expires_in":3599,"access_token":"\#(token)"}"#)
        default:
            return (400, #"{"error":"unsupported_grant_type"}"#)
        }
    }

    /// istilgangskontroll's answer (docs/contracts/istilgangskontroll.md): 403
    /// `{"erGodkjent":false}` for a person ordinary case workers may not see, 200
    /// `{"erGodkjent":true}` otherwise; 401 without an on-behalf-of token of the local Azure AD
    /// for istilgangskontroll.
    private func accessAnswer(_ headers: HTTPFields) throws -> (Int, String) {
        let bearer = headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let bearer,
            let claims = try? SignedJWT.verifiedClaims(of: bearer, keys: azureADKeys),
            (claims["aud"] as? String)?.hasSuffix("istilgangskontroll") == true, claims["NAVident"] is String
        else { return (401, #"{"message":"missing or invalid on-behalf-of token"}"#) }
        guard let person = headers[HTTPField.Name("nav-personident")!], person.count == 11 else {
            return (400, #"{"message":"nav-personident mangler"}"#)
        }
        let mayAccess = LocalNavFixtures.person(person)?.caseWorkersMayAccess ?? true
        return mayAccess ? (200, #"{"erGodkjent":true}"#) : (403, #"{"erGodkjent":false}"#)
    }

    /// Records the request, applies an injected failure, checks the bearer token, then answers
    /// (and records the answer's status).
    private func answer(
        _ api: API, _ request: Request, needsToken: Bool = false, contentType: String = "application/json",
        _ respond: (Data) throws -> (Int, String)
    ) async throws -> Response {
        let body = Data(buffer: try await request.body.collect(upTo: 4 << 20))
        let (index, failure) = record(api, request, body)
        let response: Response
        if let failed = try await applyFailure(failure) {
            response = failed
        } else if needsToken, !(request.headers[.authorization]?.hasPrefix("Bearer local-") ?? false) {
            response = Self.response(401, #"{"message":"missing or unknown token"}"#)
        } else {
            let (status, text) = try respond(body)
            response = Self.response(status, text, contentType: contentType)
        }
        recordAnswer(index, response.status.code)
        return response
    }

    /// Records the request; returns its index in the log and the failure injected for it, if any.
    private func record(_ api: API, _ request: Request, _ body: Data) -> (Int, Failure?) {
        state.withLock { state in
            state.requests.append(RecordedRequest(api: api, path: request.uri.path, headers: request.headers, body: body))
            let index = state.requests.count - 1
            guard var failure = state.failures[api], failure.times > 0 else { return (index, nil) }
            if let matching = failure.matching, !String(decoding: body, as: UTF8.self).contains(matching) { return (index, nil) }
            failure.times -= 1
            state.failures[api] = failure.times > 0 ? failure : nil
            return (index, failure)
        }
    }

    private func recordAnswer(_ index: Int, _ status: Int) {
        state.withLock { $0.requests[index].status = status }
    }

    /// pdfgen's answer: a real PDF whose text carries a digest of the request, so that every
    /// plan's document differs (the fault suite tells GP messages apart by their PDF).
    private static func pdf(for body: Data) -> Response {
        guard (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["lpsPlanData"] is [String: Any] else {
            return response(400, #"{"message":"lpsPlanData missing"}"#)
        }
        let digest = SHA256.hash(data: body).prefix(8).map { String(format: "%02x", $0) }.joined()
        return Response(
            status: .ok, headers: [.contentType: "application/pdf"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: MinimalPDF.document(text: "Oppfoelgingsplan (lokal pdfgen) \(digest)"))))
    }

    /// Waits out an injected delay; returns the injected error answer, or nil to answer normally.
    private func applyFailure(_ failure: Failure?) async throws -> Response? {
        guard let failure else { return nil }
        if failure.delay > .zero { try await Task.sleep(for: failure.delay) }
        return failure.status.map { Self.response($0, failure.body, contentType: failure.contentType) }
    }

    private static func response(_ status: Int, _ text: String, contentType: String = "application/json") -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func formValue(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return String(parts[1]).removingPercentEncoding }
        }
        return nil
    }
}
