import ApiSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import LocalStandIns
import NIOCore

/// `GET /api/test/token`, in `mottak-dev` only: what NAV's LPS demo app (oppfolgingsplan-lps-demo)
/// calls for its token before it submits, as the existing service serves it in dev-gcp
/// (domain-reference.md 9.5): HTTP Basic auth, and the answer body is the raw access token
/// (`text/plain`), here one of the local issuer's. The consumer organisation is the employer the
/// stand-ins know (`123456789`) unless `?org=` names another. `mottak serve` never has it.
public struct DevTokenRoute: Sendable {
    public static let path = "/api/test/token"

    let issuer: LocalMaskinportenIssuer
    let username: String
    let password: String

    public init(issuer: LocalMaskinportenIssuer, username: String, password: String) {
        self.issuer = issuer
        self.username = username
        self.password = password
    }

    public func register(on router: Router<ApiRequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ in try answer(request) }
    }

    func answer(_ request: Request) throws -> Response {
        guard let (user, secret) = Self.credentials(request.headers[.authorization]), user == username, secret == password else {
            var refusal = ApiErrorMiddleware.response(ApiError.authentication("Send the dev token credentials as HTTP Basic auth"))
            refusal.headers[.wwwAuthenticate] = #"Basic realm="test-token""#
            return refusal
        }
        return try token(for: request)
    }

    /// The raw token for `?org=` (default: the employer the stand-ins know), without a check of
    /// credentials (``DemoRoutes`` serves it to its own page).
    func token(for request: Request) throws -> Response {
        let org = request.uri.queryParameters.get("org") ?? LocalNavFixtures.workplace
        guard org.count == 9, org.allSatisfy(\.isASCII), org.allSatisfy(\.isNumber) else {
            throw ApiError(status: 400, type: .illegalArgument, message: "org must be an organisation number of 9 digits")
        }
        let token = try issuer.token(consumer: org, lifetime: 3_600)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=UTF-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: token)))
    }

    /// User name and password of a `Basic` Authorization header.
    static func credentials(_ authorization: String?) -> (String, String)? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
