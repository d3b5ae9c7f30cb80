import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A token issuer's name and signing keys (Maskinporten's for the LPS routes, Azure AD's for the
/// case workers' routes), read from its well-known document (`issuer`, `jwks_uri`: both
/// Maskinporten's OAuth metadata and Azure AD's OpenID configuration have them) and JWKS, cached.
///
/// - The first request loads them (one fetch however many requests wait for it); a failed
///   start-up fetch therefore does not stop the process, it makes requests answer 503 until
///   the issuer is reachable.
/// - Keys older than `maximumAge` are refreshed in the background on the next use (at most
///   one attempt per `minimumRefetchInterval`); until that succeeds the old keys stay in use
///   (Maskinporten and Azure AD announce new keys well before they sign with them).
/// - A token signed with an unknown `kid` may mean a key rotation: ``refetchForUnknownKey()``
///   fetches again, but at most once per `minimumRefetchInterval`, so a stream of tokens with
///   made-up key ids cannot turn us into a load generator against the issuer.
public actor IssuerKeys {
    /// What the verifier needs from the issuer.
    public struct Snapshot: Sendable {
        public var issuer: String
        public var keys: JSONWebKeySet
        public var fetchedAt: ContinuousClock.Instant
    }

    /// For logs and errors: "Maskinporten", "Azure AD".
    public nonisolated let issuerName: String
    private let wellKnownURL: @Sendable () async throws -> String
    private let httpClient: HTTPClient
    private let maximumAge: Duration
    private let minimumRefetchInterval: Duration
    /// Per request of a fetch (the well-known document, the key set).
    private let fetchTimeout: Duration
    private let logger: Logger
    private var snapshot: Snapshot?
    private var inFlight: Task<Snapshot, any Error>?
    private var lastUnknownKeyRefetch: ContinuousClock.Instant?
    /// After a failed background refresh, the next one waits this long.
    private var nextBackgroundRefresh = ContinuousClock.now

    /// `wellKnownURL` is asked on each fetch, so a local issuer whose port is known only once it
    /// listens can be plugged in.
    public init(
        issuerName: String,
        wellKnownURL: @escaping @Sendable () async throws -> String,
        httpClient: HTTPClient = .shared,
        maximumAge: Duration = .seconds(3600),
        minimumRefetchInterval: Duration = .seconds(60),
        fetchTimeout: Duration = .seconds(5),
        logger: Logger
    ) {
        self.issuerName = issuerName
        self.wellKnownURL = wellKnownURL
        self.httpClient = httpClient
        self.maximumAge = maximumAge
        self.minimumRefetchInterval = minimumRefetchInterval
        self.fetchTimeout = fetchTimeout
        self.logger = logger
    }

    /// The cached issuer and keys; fetched first when there are none. Keys older than
    /// `maximumAge` are returned at once while a refresh runs in the background (a slow or
    /// unreachable issuer never delays a request that has keys to check against).
    public func current() async throws -> Snapshot {
        guard let snapshot else { return try await fetch() }
        let now = ContinuousClock.now
        if snapshot.fetchedAt.duration(to: now) >= maximumAge, inFlight == nil, now >= nextBackgroundRefresh {
            nextBackgroundRefresh = now + minimumRefetchInterval
            let task = startFetch()
            Task { [logger, issuerName] in
                do {
                    _ = try await task.value
                } catch {
                    logger.warning("could not refresh \(issuerName)'s keys; using the cached ones", metadata: ["error": "\(error)"])
                }
            }
        }
        return snapshot
    }

    /// Fetches again after a token named a key we do not have; nil when the last such refetch
    /// was less than `minimumRefetchInterval` ago (the caller then rejects the token).
    public func refetchForUnknownKey() async throws -> Snapshot? {
        if let last = lastUnknownKeyRefetch, last.duration(to: .now) < minimumRefetchInterval { return nil }
        lastUnknownKeyRefetch = .now
        return try await fetch()
    }

    /// One fetch at a time: callers that arrive while one runs share its result.
    private func fetch() async throws -> Snapshot {
        let fresh = try await (inFlight ?? startFetch()).value
        snapshot = fresh
        return fresh
    }

    /// Starts a download whose result becomes the cached snapshot.
    private func startFetch() -> Task<Snapshot, any Error> {
        let task = Task { [wellKnownURL, httpClient, fetchTimeout, logger, issuerName] in
            try await Self.download(
                issuerName, wellKnownURL: try await wellKnownURL(), httpClient: httpClient, timeout: fetchTimeout, logger: logger)
        }
        inFlight = task
        Task { await self.finish(task) }
        return task
    }

    private func finish(_ task: Task<Snapshot, any Error>) async {
        if let fresh = try? await task.value { snapshot = fresh }
        if inFlight == task { inFlight = nil }
    }

    private static func download(
        _ issuerName: String, wellKnownURL: String, httpClient: HTTPClient, timeout: Duration, logger: Logger
    ) async throws -> Snapshot {
        struct WellKnown: Decodable {
            var issuer: String
            var jwksURI: String

            enum CodingKeys: String, CodingKey {
                case issuer
                case jwksURI = "jwks_uri"
            }
        }
        let wellKnown = try JSONDecoder().decode(WellKnown.self, from: try await get(issuerName, wellKnownURL, httpClient, timeout))
        let keys = try JSONWebKeySet(json: try await get(issuerName, wellKnown.jwksURI, httpClient, timeout))
        logger.info(
            "fetched \(issuerName)'s signing keys",
            metadata: ["issuer": "\(wellKnown.issuer)", "keys": "\(keys.keys.keys.sorted())"])
        return Snapshot(issuer: wellKnown.issuer, keys: keys, fetchedAt: .now)
    }

    private static func get(_ issuerName: String, _ url: String, _ httpClient: HTTPClient, _ timeout: Duration) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await httpClient.execute(
            request, timeout: TimeAmount(timeout))
        guard response.status == .ok else {
            throw IssuerKeysUnavailable(issuerName: issuerName, reason: "\(url) answered \(response.status.code)")
        }
        return Data(buffer: try await response.body.collect(upTo: 1 << 20))
    }
}

/// An issuer's keys could not be read: not the caller's fault, so not a 401.
public struct IssuerKeysUnavailable: Error, CustomStringConvertible {
    public var issuerName: String
    public var reason: String
    public var description: String { "\(issuerName)'s signing keys are unavailable: \(reason)" }
}
