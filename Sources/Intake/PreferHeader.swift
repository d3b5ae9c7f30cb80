import Foundation

/// The RFC 7240 `Prefer` request header, as far as the intake honours it:
/// `respond-async` (answer 202 at once after the commit) and `wait=<seconds>` (wait at most
/// that long for the outcome, never longer than the configured bound). Other preferences are
/// ignored, as the RFC asks.
struct PreferHeader: Equatable {
    var respondAsync = false
    var wait: Duration?

    static let name = "Prefer"
    static let appliedName = "Preference-Applied"

    /// Parses every `Prefer` field of the request (a preference per comma; names are
    /// case-insensitive; parameters after `;` are ignored).
    static func parse(_ fields: [String]) -> PreferHeader {
        var preferences = PreferHeader()
        for preference in fields.flatMap({ $0.split(separator: ",") }) {
            let token = preference.split(separator: ";", maxSplits: 1).first ?? ""
            let parts = token.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            switch (parts.first?.lowercased(), parts.count == 2 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : nil) {
            case ("respond-async", nil):
                preferences.respondAsync = true
            case ("wait", let value?):
                if let seconds = Int(value), seconds >= 0 { preferences.wait = .seconds(seconds) }
            default:
                continue
            }
        }
        return preferences
    }
}
