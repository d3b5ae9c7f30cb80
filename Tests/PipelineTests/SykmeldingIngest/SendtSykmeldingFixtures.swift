import Foundation

/// `syfo-sendt-sykmelding` values in the shape of domain-reference.md 5.3 (with fields the
/// intake ignores, as the real topic has them).
enum SendtSykmeldingFixtures {
    static func value(fnr: String = "01019012345", orgnummer: String = "123456789", periods: [(String, String)]) -> [UInt8] {
        let document: [String: Any] = [
            "kafkaMetadata": ["sykmeldingId": "ignored", "fnr": fnr, "timestamp": "2026-11-01T10:00:00Z", "source": "user"],
            "event": [
                "sykmeldingId": "ignored", "timestamp": "2026-11-01T10:00:00Z",
                "arbeidsgiver": ["orgnummer": orgnummer, "juridiskOrgnummer": "999888777", "orgNavn": "Example AS"],
            ],
            "sykmelding": [
                "id": "ignored",
                "sykmeldingsperioder": periods.map { ["fom": $0.0, "tom": $0.1, "type": "AKTIVITET_IKKE_MULIG"] },
            ],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: document))
    }

    /// `today` shifted by `days`, as yyyy-MM-dd (UTC; tests pass the same `today` to the store).
    static func day(_ days: Int, from today: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: today.addingTimeInterval(Double(days) * 86_400))
    }
}
