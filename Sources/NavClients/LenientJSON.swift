import Foundation

/// An identifier that NAV's APIs send as a JSON string or as a number, read as text.
///
/// dokarkiv's `journalpostId` is a string on the wire while some of NAV's own clients declare a
/// number (Jackson converts silently); Aareg and Ereg ids have the same history. We read either,
/// so a change of JSON type on their side never stops a plan.
struct LenientString: Decodable, Sendable, Equatable {
    var value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else if let number = try? container.decode(Int64.self) {
            value = String(number)
        } else if let number = try? container.decode(Double.self), number.rounded() == number, abs(number) < 1e15 {
            value = String(Int64(number))
        } else {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: decoder.codingPath, debugDescription: "neither a string nor a whole number"))
        }
    }
}

/// A flag sent as `true`/`false` or as the strings `"true"`/`"false"`.
struct LenientBool: Decodable, Sendable, Equatable {
    var value: Bool

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            value = flag
        } else if let text = try? container.decode(String.self), let flag = Bool(text.lowercased()) {
            value = flag
        } else {
            throw DecodingError.typeMismatch(Bool.self, .init(codingPath: decoder.codingPath, debugDescription: "not a boolean"))
        }
    }
}

extension KeyedDecodingContainer {
    /// The value at `key` when it is there, readable and not null; nil otherwise. For optional
    /// fields a tolerant reader must not fail on: a wrong type in a field we only show (a name,
    /// a phone number) must not make the whole answer unreadable.
    func lenient<Value: Decodable>(_ type: Value.Type, forKey key: Key) -> Value? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }
}
