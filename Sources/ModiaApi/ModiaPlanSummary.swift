import Domain
import Foundation

/// One plan in the list a case worker sees: the original's `OppfolgingsplanLPS`
/// (`veileder/domain/OppfolgingsplanLPS.kt`), in its field order. The times are Jackson's
/// `LocalDateTime` strings as the original writes them: Oslo wall-clock time (its image sets
/// `TZ=Europe/Oslo`), ISO local date-time without a zone, the fraction without trailing zeros
/// (`2024-05-02T10:11:12.34`, `2024-05-02T10:11:12`).
public struct ModiaPlanSummary: Sendable, Equatable, Encodable {
    public var uuid: String
    public var fnr: String
    public var virksomhetsnummer: String
    public var opprettet: String
    public var sistEndret: String

    public init(uuid: String, fnr: String, virksomhetsnummer: String, opprettet: String, sistEndret: String) {
        self.uuid = uuid
        self.fnr = fnr
        self.virksomhetsnummer = virksomhetsnummer
        self.opprettet = opprettet
        self.sistEndret = sistEndret
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffff` (PostgreSQL's `to_char` with `US`) as `LocalDateTime`
    /// prints it: the fraction's trailing zeros dropped, and the dot with them when none is left.
    public static func localDateTime(microseconds text: String) -> String {
        guard let dot = text.lastIndex(of: ".") else { return text }
        var end = text.endIndex
        while end > text.index(after: dot), text[text.index(before: end)] == "0" { end = text.index(before: end) }
        return end == text.index(after: dot) ? String(text[..<dot]) : String(text[..<end])
    }
}
