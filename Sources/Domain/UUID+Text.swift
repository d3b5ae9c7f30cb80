import Foundation

extension UUID {
    /// The uuid as the contract and NAV's services write it: lowercase, as Java's
    /// `UUID.toString()` does (Foundation's `uuidString` is uppercase). Every uuid this service
    /// writes to a log, a header, a message or an answer goes through this.
    public var lowercasedString: String { uuidString.lowercased() }
}
