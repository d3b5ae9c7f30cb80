import Foundation

/// The `teamsykmelding.syfo-sendt-sykmelding` messages `mottak-dev` publishes at start, one per
/// fixture person with a sykmelding (``LocalNavFixtures``), dated relative to today, in the
/// topic's real shape (docs/contracts/sendt-sykmelding.md), and one sent to no employer
/// (`event.arbeidsgiver: null`), which the ingest skips.
public enum LocalSykmeldingSeed {
    public static func messages(today: Date = Date()) -> [(key: String, value: [UInt8])] {
        fixtureMessages(today: today) + [withoutEmployer(today: today)]
    }

    /// A sykmelding the person sent to no employer: skipped by the ingest, never poison.
    static func withoutEmployer(today: Date) -> (key: String, value: [UInt8]) {
        let id = "local-sykmelding-uten-arbeidsgiver"
        let document: [String: Any] = [
            "kafkaMetadata": [
                "sykmeldingId": id, "fnr": LocalNavFixtures.withoutEmployment.identificationNumber, "timestamp": iso(today), "source": "user",
            ],
            "event": ["sykmeldingId": id, "timestamp": iso(today), "statusEvent": "SENDT", "arbeidsgiver": NSNull()],
            "sykmelding": ["id": id, "sykmeldingsperioder": [["fom": day(-5, today), "tom": day(5, today), "type": "AKTIVITET_IKKE_MULIG"]]],
        ]
        return (id, Array((try? JSONSerialization.data(withJSONObject: document)) ?? Data()))
    }

    static func fixtureMessages(today: Date) -> [(key: String, value: [UInt8])] {
        LocalNavFixtures.all.enumerated().compactMap { index, person in
            guard let days = person.sykmelding else { return nil }
            // Like real sykmelding ids, these say nothing about the person (ids are logged).
            let id = "local-sykmelding-\(index + 1)"
            let document: [String: Any] = [
                "kafkaMetadata": ["sykmeldingId": id, "fnr": person.identificationNumber, "timestamp": iso(today), "source": "user"],
                "event": [
                    "sykmeldingId": id, "timestamp": iso(today),
                    "arbeidsgiver": [
                        "orgnummer": LocalNavFixtures.workplace, "juridiskOrgnummer": LocalNavFixtures.legalEntity,
                        "orgNavn": "Lokal Arbeidsgiver AS",
                    ],
                ],
                "sykmelding": [
                    "id": id,
                    "sykmeldingsperioder": [
                        ["fom": day(days.fomDaysFromToday, today), "tom": day(days.tomDaysFromToday, today), "type": "AKTIVITET_IKKE_MULIG"]
                    ],
                ],
            ]
            return (id, Array((try? JSONSerialization.data(withJSONObject: document)) ?? Data()))
        }
    }

    private static func day(_ offset: Int, _ today: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Oslo")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: today.addingTimeInterval(Double(offset) * 86_400))
    }

    private static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
