import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Maskinporten's discovery endpoints on loopback, for `mottak-dev` and the tests:
/// `/.well-known/oauth-authorization-server` (the document NAIS's `MASKINPORTEN_WELL_KNOWN_URL`
/// names) and `/jwks`, with the keys of the given local issuers. Tests swap the keys to
/// rotate them and read how often the JWKS was fetched.
public final class LocalMaskinportenServer: Service, Sendable {
    private struct State {
        var issuers: [LocalMaskinportenIssuer]
        var jwksRequests = 0
    }

    private let listening = ListeningPort()
    private let state: Mutex<State>
    private let host: String
    private let requestedPort: Int
    private let logger: Logger

    /// `port` 0 picks a free port; ``wellKnownURL()`` waits until it is known.
    public init(issuers: [LocalMaskinportenIssuer], host: String = "127.0.0.1", port: Int = 0, logger: Logger) {
        precondition(!issuers.isEmpty, "a local Maskinporten needs at least one issuer key")
        self.state = Mutex(State(issuers: issuers))
        self.host = host
        self.requestedPort = port
        self.logger = logger
    }

    /// Replaces the published keys (a key rotation).
    public func publish(_ issuers: [LocalMaskinportenIssuer]) {
        state.withLock { $0.issuers = issuers }
    }

    /// How many times the JWKS was fetched.
    public var jwksRequestCount: Int { state.withLock { $0.jwksRequests } }

    /// The well-known URL, once the server listens.
    public func wellKnownURL() async -> String {
        "http://\(host):\(await port())/.well-known/oauth-authorization-server"
    }

    public func port() async -> Int {
        await listening.wait()
    }

    public func run() async throws {
        let router = Router()
        router.get("/.well-known/oauth-authorization-server") { [self] _, _ in
            let port = await port()
            let issuer = state.withLock { $0.issuers[0].issuer }
            let document: [String: Any] = [
                "issuer": issuer, "jwks_uri": "http://\(host):\(port)/jwks",
                "token_endpoint": "http://\(host):\(port)/token",
                "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            ]
            return Self.json(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
        }
        router.get("/jwks") { [self] _, _ in
            let issuers = state.withLock { state in
                state.jwksRequests += 1
                return state.issuers
            }
            return Self.json(try LocalMaskinportenIssuer.jwksDocument(of: issuers))
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: requestedPort), serverName: nil),
            onServerRunning: { [listening] channel in listening.announce(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    private static func json(_ data: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
