import Foundation
import Logging
import PostgresNIO

/// A consumed message that waits in `parked_message` for a NAV API to come back.
///
/// Storage knows nothing of Kafka: the message is its bytes and where it came from.
public struct ParkedMessage: Sendable, Equatable {
    public struct Header: Sendable, Equatable, Codable {
        public var key: String
        /// Base64 of the header's bytes; nil for a header without a value.
        public var value: String?

        public init(key: String, bytes: [UInt8]?) {
            self.key = key
            self.value = bytes.map { Data($0).base64EncodedString() }
        }

        public var bytes: [UInt8]? { value.flatMap { Data(base64Encoded: $0) }.map(Array.init) }
    }

    public var id: Int64
    public var sourceTopic: String
    public var sourcePartition: Int32
    public var sourceOffset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [Header]
    /// Failed attempts so far.
    public var attempts: Int
    public var parkedAt: Date
    /// The NAV API it waits for, when known.
    public var dependency: String?

    public init(
        id: Int64 = 0, sourceTopic: String, sourcePartition: Int32, sourceOffset: Int64, key: [UInt8]?, value: [UInt8]?, headers: [Header],
        attempts: Int, parkedAt: Date = Date(), dependency: String? = nil
    ) {
        self.dependency = dependency
        self.id = id
        self.sourceTopic = sourceTopic
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.key = key
        self.value = value
        self.headers = headers
        self.attempts = attempts
        self.parkedAt = parkedAt
    }

    /// The ordering identity: the key as text (a plan uuid), empty for a message without one.
    public var orderingKey: String { key.map { String(decoding: $0, as: UTF8.self) } ?? "" }
}
