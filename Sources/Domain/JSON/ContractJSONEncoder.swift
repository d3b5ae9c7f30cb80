import Foundation

/// The one encoder of every JSON document this service writes for others to read: the HTTP
/// answers, the events, the message envelope. It guarantees the byte layout the contract's
/// examples show, which Foundation's `JSONEncoder` does not:
///
/// - properties in the order the type encodes them (for a synthesised `Encodable`, the order
///   of declaration), not in hash order, so answers are diffable and stable across runs;
/// - a property without a value written as `null`, never left out (the contract shows
///   `"error":null`; the synthesised `encodeIfPresent` would drop the key);
/// - a `UUID` in lower case (the message key's, PostgreSQL's and the answers' spelling);
/// - a `Date` in RFC 3339, UTC, with milliseconds (`2026-11-27T08:00:00.123Z`);
/// - no whitespace, `/` not escaped.
///
/// A `Dictionary` still encodes its keys in its own (hash) order: documents are structs.
/// Decoding stays with Foundation's `JSONDecoder`: order and spelling do not matter there.
public enum ContractJSONEncoder {
    /// `value` as JSON text.
    public static func string(_ value: some Encodable) throws -> String {
        let root = JSONNode()
        try root.encode(value, codingPath: [])
        var out = ""
        out.reserveCapacity(256)
        root.write(to: &out)
        return out
    }

    /// `value` as UTF-8 JSON.
    public static func data(_ value: some Encodable) throws -> Data {
        Data(try string(value).utf8)
    }
}

/// A value under construction: containers append to it in the order they are called.
final class JSONNode {
    enum Content {
        case literal(String)
        case object([(key: String, value: JSONNode)])
        case array([JSONNode])
    }

    var content: Content = .literal("null")

    /// Encodes `value` into this node, with the spellings the encoder promises.
    func encode(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        switch value {
        case let uuid as UUID: content = .literal(JSONText.string(uuid.lowercasedString))
        case let date as Date: content = .literal("\"" + JSONText.timestamp(date) + "\"")
        case let text as String: content = .literal(JSONText.string(text))
        case let flag as Bool: content = .literal(flag ? "true" : "false")
        default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }

    func write(to out: inout String) {
        switch content {
        case .literal(let text):
            out += text
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                JSONText.appendString(member.key, to: &out)
                out += ":"
                member.value.write(to: &out)
            }
            out += "}"
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                element.write(to: &out)
            }
            out += "]"
        }
    }

    /// A new member of this object (made one if it is not yet).
    func member(_ key: String) -> JSONNode {
        let child = JSONNode()
        if case .object(var members) = content {
            content = .literal("null")  // let go of the array, so that appending does not copy it
            members.append((key, child))
            content = .object(members)
        } else {
            content = .object([(key, child)])
        }
        return child
    }

    /// A new element of this array (made one if it is not yet).
    func element() -> JSONNode {
        let child = JSONNode()
        if case .array(var elements) = content {
            content = .literal("null")  // let go of the array, so that appending does not copy it
            elements.append(child)
            content = .array(elements)
        } else {
            content = .array([child])
        }
        return child
    }

    var count: Int {
        switch content {
        case .array(let elements): elements.count
        case .object(let members): members.count
        case .literal: 0
        }
    }

    static func number(_ value: some BinaryInteger) -> String { String(value) }

    static func number(_ value: some BinaryFloatingPoint & LosslessStringConvertible, codingPath: [any CodingKey]) throws -> String {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "JSON has no \(value)"))
        }
        return String(value)
    }
}

struct NodeEncoder: Encoder {
    let node: JSONNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleNodeContainer(node: node, codingPath: codingPath) }
}

/// An object's members in call order; `encodeIfPresent(nil)` writes `null`.
struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONNode
    var codingPath: [any CodingKey]

    func set(_ literal: String, _ key: Key) { node.member(key.stringValue).content = .literal(literal) }

    mutating func encodeNil(forKey key: Key) throws { set("null", key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(value ? "true" : "false", key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(JSONText.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(try JSONNode.number(value, codingPath: codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(try JSONNode.number(value, codingPath: codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(JSONNode.number(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.member(key.stringValue).encode(value, codingPath: codingPath + [key])
    }

    // The synthesised encoder calls these for optional properties; the protocol's defaults
    // leave the key out when the value is nil, the contract writes it as null.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encodeOrNull(value, key) }

    private mutating func encodeOrNull<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = node.member(key.stringValue)
        return NodeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: JSONNode
    var codingPath: [any CodingKey]
    var count: Int { node.count }

    mutating func encodeNil() throws { node.element().content = .literal("null") }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.element().encode(value, codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.element(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.element(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.element(), codingPath: codingPath) }
}

struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: JSONNode
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .literal("null") }
    mutating func encode(_ value: Bool) throws { node.content = .literal(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { node.content = .literal(JSONText.string(value)) }
    mutating func encode(_ value: Double) throws { node.content = .literal(try JSONNode.number(value, codingPath: codingPath)) }
    mutating func encode(_ value: Float) throws { node.content = .literal(try JSONNode.number(value, codingPath: codingPath)) }
    mutating func encode(_ value: Int) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: Int8) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: Int16) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: Int32) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: Int64) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: UInt) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: UInt8) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: UInt16) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: UInt32) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode(_ value: UInt64) throws { node.content = .literal(JSONNode.number(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }
}

extension ContractJSONEncoder {
    /// A document whose encoding cannot fail: one of our own types with synthesised (or
    /// string-and-integer only) conformances, which has no floating-point value to refuse.
    /// A failure is a programming error, found by the tests that encode every such type.
    public static func document(_ value: some Encodable) -> String {
        do { return try string(value) } catch { preconditionFailure("\(type(of: value)) cannot be encoded: \(error)") }
    }
}
