import NIOPosix

/// A thread of a client's own for its blocking librdkafka calls (metadata, admin requests).
///
/// They must not run on Swift's cooperative pool (a few threads, shared by everything), and not
/// on NIO's shared blocking pool either: there a readiness probe would queue behind unrelated
/// slow work and miss its deadline.
final class BlockingCallThread: Sendable {
    private let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }
}

extension String {
    /// The text librdkafka wrote into a `char errstr[N]` buffer.
    init(errorBuffer: [CChar]) {
        self = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
