import Domain
import HTTPTypes

/// The `Idempotency-Key` request header (IETF httpapi draft): a client's own name for one
/// submission, so a retry after a lost answer returns the first plan instead of a second one.
enum IdempotencyKeyHeader {
    static let name = HTTPField.Name("Idempotency-Key")!
    /// Set on an answer that repeats an earlier one.
    static let replayedName = HTTPField.Name("Idempotent-Replayed")!

    /// The key, or nil when the header is absent. The draft's form is a structured-field
    /// string (`"…"`); a bare token is accepted too, as most clients send one.
    static func parse(_ value: String?) throws(ApiError) -> String? {
        guard var key = value else { return nil }
        if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw ApiError.invalidIdempotencyKey
        }
        return key
    }
}
