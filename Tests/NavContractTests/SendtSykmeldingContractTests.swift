import Domain
import Foundation
import SykmeldingIngest
import Testing

/// The `teamsykmelding.syfo-sendt-sykmelding` samples (docs/contracts/sendt-sykmelding.md)
/// through the ingest's reader: a sykmelding without `arbeidsgiver` is skipped, not poison.
@Suite(.timeLimit(.minutes(5))) struct SendtSykmeldingContractTests {
    @Test func everySampleIsReadAsTheContractSays() throws {
        let expected: [String: SendtSykmeldingMessage] = [
            "sent": .sykmelding(
                SendtSykmelding(
                    sykmeldingID: "a1b2c3", employeeIdentificationNumber: "01019012345", organizationNumber: "123456789",
                    periods: [.init(fom: CalendarDate(iso: "2026-11-01")!, tom: CalendarDate(iso: "2026-11-30")!)])),
            "without-arbeidsgiver": .withoutEmployer(sykmeldingID: "d4e5f6"),
            "without-juridisk-orgnummer": .sykmelding(
                SendtSykmelding(
                    sykmeldingID: "g7h8i9", employeeIdentificationNumber: "01019012345", organizationNumber: "123456789",
                    periods: [
                        .init(fom: CalendarDate(iso: "2026-11-01")!, tom: CalendarDate(iso: "2026-11-15")!),
                        .init(fom: CalendarDate(iso: "2026-11-16")!, tom: CalendarDate(iso: "2026-11-30")!),
                    ])),
        ]
        let samples = try NavClientContractTests.samples("sendt-sykmelding")
        #expect(Set(samples.map(\.name)) == Set(expected.keys))
        for sample in samples {
            // The record key is the sykmelding id, as on the real topic.
            let id = sample.name == "sent" ? "a1b2c3" : sample.name == "without-arbeidsgiver" ? "d4e5f6" : "g7h8i9"
            let message = try SendtSykmeldingMessage.decode(key: Array(id.utf8), value: Array(sample.body.utf8))
            #expect(message == expected[sample.name], "\(sample.name)")
        }
    }
}
