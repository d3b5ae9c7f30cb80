import AsyncHTTPClient
import Instrumentation
import NIOCore
import Synchronization
import Tracing

/// The HTTP clients for NAV's APIs: process-wide, like `HTTPClient.shared`, but with a
/// connection pool sized for the consuming roles' concurrency. The shared client keeps at
/// most 8 connections per host and queues the rest: at NAV's ~200 ms answers that caps a
/// process at about 40 calls per second to each API, whatever `CONSUMER_MAX_IN_FLIGHT` says.
/// Never shut down, so that no role can outlive its client (the process's end closes them).
///
/// Without a tracer (`OTEL_EXPORTER_OTLP_ENDPOINT` unset, so `InstrumentationSystem.tracer` is
/// the no-op one) a client gets none: AsyncHTTPClient otherwise builds every request's span
/// attributes for the no-op tracer to drop (parsing the URL again, ~3 % of a calling role's CPU).
/// The tracer is read when a client is made, after `TracingSetup` bootstrapped it.
public enum NavHTTPClients {
    private static let clients = Mutex<[Int: HTTPClient]>([:])

    /// The client keeping up to `connectionsPerHost` connections to each host.
    public static func client(connectionsPerHost: Int) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[connectionsPerHost] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
            if InstrumentationSystem.tracer is NoOpTracer { configuration.tracing.tracer = nil }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[connectionsPerHost] = client
            return client
        }
    }
}
