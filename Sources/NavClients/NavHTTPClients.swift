import AsyncHTTPClient
import NIOCore
import Synchronization

/// The HTTP clients for NAV's APIs: process-wide, like `HTTPClient.shared`, but with a
/// connection pool sized for the consuming roles' concurrency. The shared client keeps at
/// most 8 connections per host and queues the rest: at NAV's ~200 ms answers that caps a
/// process at about 40 calls per second to each API, whatever `CONSUMER_MAX_IN_FLIGHT` says.
/// Never shut down, so that no role can outlive its client (the process's end closes them).
public enum NavHTTPClients {
    private static let clients = Mutex<[Int: HTTPClient]>([:])

    /// The client keeping up to `connectionsPerHost` connections to each host.
    public static func client(connectionsPerHost: Int) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[connectionsPerHost] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[connectionsPerHost] = client
            return client
        }
    }
}
