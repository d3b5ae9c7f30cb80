import NIOPosix

/// Runs a blocking librdkafka call (metadata, admin requests) on NIO's blocking thread pool, so
/// that it never occupies a thread of Swift's cooperative pool.
func runBlocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(work)
}

extension String {
    /// The text librdkafka wrote into a `char errstr[N]` buffer.
    init(errorBuffer: [CChar]) {
        self = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
