import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP proxy in front of PostgreSQL that can lose a connection at the worst moment: after
/// the server committed a statement and before its answer reached the client (an ambiguous
/// commit). Armed with a text, it watches what clients send; the connection that sends it and
/// then executes it has its next ReadyForQuery (sent once the implicit transaction committed)
/// swallowed and is closed on both sides. It cuts once, then forwards faithfully again.
///
/// Blocking sockets on threads of its own (a test fixture; each connection's two pumps end
/// when either side closes). ``close()`` stops it and every connection.
public final class CuttingProxy: Sendable {
    public let port: Int
    private let listener: Int32
    private let target: (host: String, port: Int)
    private let armed = Mutex<[UInt8]?>(nil)
    private let sockets = Mutex<Set<Int32>>([])
    private let cuts = Atomic(0)
    private let closed = Atomic(false)

    public init(to host: String, port targetPort: Int) throws {
        target = (host, targetPort)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            Glibc.close(descriptor)
            throw MissingTestService(description: "the proxy cannot listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(descriptor, nil, nil)
                guard client >= 0 else { return }
                connect(client)
            }
        }
    }

    /// Cut the connection that next sends a message containing `text`, after its commit.
    public func cutAfterCommit(ofStatementContaining text: String) { armed.withLock { $0 = Array(text.utf8) } }

    /// How many connections were cut.
    public var cutCount: Int { cuts.load(ordering: .relaxed) }

    /// Stops it; a second call does nothing (closing the listener's descriptor twice would close
    /// whatever the process opened under that number since: another server's socket).
    public func close() {
        guard closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        for socket in sockets.withLock({ $0 }) { shutdown(socket, Int32(SHUT_RDWR)) }
    }

    private func connect(_ client: Int32) {
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(target.host == "localhost" ? "127.0.0.1" : target.host)
        address.sin_port = UInt16(target.port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(client)
            Glibc.close(server)
            return
        }
        sockets.withLock { $0.formUnion([client, server]) }
        let sentStatement = Atomic(false)
        let cutting = Atomic(false)
        Thread.detachNewThread { [self] in
            pump(from: client, to: server) { chunk in
                if let text = armed.withLock({ $0 }), Self.contains(chunk, text) {
                    armed.withLock { $0 = nil }
                    sentStatement.store(true, ordering: .relaxed)
                }
                // Cut after the statement ran, not after it was only prepared: a prepared
                // statement's text goes once, with Parse, and its Execute in the next round trip
                // (an unnamed one sends both in one go).
                if sentStatement.load(ordering: .relaxed), Self.contains(chunk, Self.execute) { cutting.store(true, ordering: .relaxed) }
                return true
            }
        }
        Thread.detachNewThread { [self] in
            pump(from: server, to: client) { chunk in
                // ReadyForQuery: 'Z', length 5: the statement's transaction has committed.
                guard cutting.load(ordering: .relaxed), Self.contains(chunk, [0x5A, 0, 0, 0, 5]) else { return true }
                cuts.add(1, ordering: .relaxed)
                return false
            }
            sockets.withLock { $0.subtract([client, server]) }
        }
    }

    /// Copies until either side closes, or `forward` refuses a chunk; then closes both.
    private func pump(from source: Int32, to destination: Int32, _ forward: (ArraySlice<UInt8>) -> Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0, forward(buffer[0..<count]) else { break }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { break }
                sent += written
            }
            guard sent == count else { break }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
    }

    /// Execute of the unnamed portal with no row limit, as postgres-nio sends it: 'E', length 9, "", 0.
    private static let execute: [UInt8] = [0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0]

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
