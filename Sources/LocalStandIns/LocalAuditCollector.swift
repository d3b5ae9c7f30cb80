import Foundation
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// NAIS's audit log receiver (`audit.nais:6514`, syslog over TCP) on loopback, for
/// `mottak-dev` and the tests: keeps every newline-framed line it receives, and in `mottak-dev`
/// also appends them to a file (`.mottak-dev/audit.log`), apart from the application log.
public final class LocalAuditCollector: Service, Sendable {
    private let channel: any Channel
    private let lines: ReceivedLines

    /// The port it listens on (loopback).
    public let port: Int

    /// Listens at once on `127.0.0.1:port` (0: any free port).
    public static func start(port: Int = 0, appendingTo file: URL? = nil) async throws -> LocalAuditCollector {
        let lines = ReceivedLines()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(LineCollector(lines: lines, file: file)) }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        return LocalAuditCollector(channel: channel, lines: lines)
    }

    private init(channel: any Channel, lines: ReceivedLines) {
        self.channel = channel
        self.lines = lines
        self.port = channel.localAddress?.port ?? 0
    }

    /// Every line received so far (without its line end).
    public var received: [String] { lines.all.withLock { $0 } }

    /// Closes the listening socket; connections already made stay until their peers close them.
    public func close() async {
        try? await channel.close()
    }

    /// Listens until the service group shuts down.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}

/// The lines of every connection.
private final class ReceivedLines: Sendable {
    let all = Mutex<[String]>([])
}

/// Splits a connection's bytes into lines and keeps them.
private final class LineCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let lines: ReceivedLines
    private let pending = Mutex<[UInt8]>([])
    private let file: URL?

    init(lines: ReceivedLines, file: URL?) {
        self.lines = lines
        self.file = file
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytesView
        let complete: [String] = pending.withLock { pending in
            pending.append(contentsOf: bytes)
            var found: [String] = []
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                found.append(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
            return found
        }
        guard !complete.isEmpty else { return }
        lines.all.withLock { $0 += complete }
        if let file { Self.append(complete, to: file) }
    }

    private static func append(_ lines: [String], to file: URL) {
        let text = Data(lines.map { $0 + "\n" }.joined().utf8)
        if let handle = try? FileHandle(forWritingTo: file) {
            defer { try? handle.close() }
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: text)
        } else {
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? text.write(to: file)
        }
    }
}
