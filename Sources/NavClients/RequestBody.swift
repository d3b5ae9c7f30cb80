import Foundation

/// The JSON bodies of our requests to NAV's APIs.
///
/// Typed `Encodable` requests through `JSONEncoder`, not dictionaries through
/// `JSONSerialization`: on Linux the latter bridges every value through Foundation's object
/// graph and escaped the PDL query and the GP channel's base64 PDF character by character, up to
/// 9 % of a role's CPU (docs/performance.md). Slashes are left unescaped (base64 and URLs are
/// full of them; `\/` and `/` mean the same in JSON, the bytes are fewer).
enum RequestBody {
    static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return try encoder.encode(value)
    }
}
