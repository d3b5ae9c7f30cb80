import Foundation
import Logging
import PostgresNIO

/// One event waiting in the `outbox` table.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    public var topic: String
    public var key: String
    /// The JSON value, byte for byte as the writer stored it.
    public var payload: String
    public var headers: [String: String]
    public var createdAt: Date
    /// Earlier publishing attempts that failed.
    public var attempts: Int

    public init(id: Int64, topic: String, key: String, payload: String, headers: [String: String], createdAt: Date, attempts: Int) {
        self.id = id
        self.topic = topic
        self.key = key
        self.payload = payload
        self.headers = headers
        self.createdAt = createdAt
        self.attempts = attempts
    }
}
