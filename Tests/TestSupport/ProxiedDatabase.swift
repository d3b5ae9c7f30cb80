import Storage
import Synchronization

/// A database reached through a ``CuttingProxy`` made when the test app is configured: pass
/// ``route(_:)`` as the app's database mapping, then cut or close ``proxy`` in the test.
public final class ProxiedDatabase: Sendable {
    private let started = Mutex<CuttingProxy?>(nil)

    public init() {}

    /// `real` as reached through a new proxy in front of it.
    @Sendable public func route(_ real: DatabaseConfiguration) throws -> DatabaseConfiguration {
        let proxy = try CuttingProxy(to: real.host, port: real.port)
        started.withLock { $0 = proxy }
        var viaProxy = real
        viaProxy.host = "127.0.0.1"
        viaProxy.port = proxy.port
        return viaProxy
    }

    /// The proxy, once the app was configured.
    public var proxy: CuttingProxy? { started.withLock { $0 } }

    /// Stops the proxy and every connection through it (the database is gone for the app).
    public func close() { started.withLock { $0?.close() } }
}
