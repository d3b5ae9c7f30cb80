import Domain
import EventProcessing
import SykmeldingIngest
import Testing

@Suite(.timeLimit(.minutes(5))) struct SendtSykmeldingMessageTests {
    @Test func readsTheFieldsTheIntakeNeedsAndIgnoresTheRest() throws {
        let message = try SendtSykmeldingMessage.decode(
            key: Array("syk-1".utf8), value: SendtSykmeldingFixtures.value(periods: [("2026-11-01", "2026-11-14"), ("2026-11-15", "2026-11-30")]))
        #expect(
            message
                == .sykmelding(
                    SendtSykmelding(
                        sykmeldingID: "syk-1", employeeIdentificationNumber: "01019012345", organizationNumber: "123456789",
                        periods: [
                            .init(fom: CalendarDate(iso: "2026-11-01")!, tom: CalendarDate(iso: "2026-11-14")!),
                            .init(fom: CalendarDate(iso: "2026-11-15")!, tom: CalendarDate(iso: "2026-11-30")!),
                        ])))
    }

    @Test func aNullValueIsATombstone() throws {
        #expect(try SendtSykmeldingMessage.decode(key: Array("syk-1".utf8), value: nil) == .tombstone(sykmeldingID: "syk-1"))
    }

    @Test(arguments: [
        (Array("syk".utf8), Array("not json".utf8), "not JSON"),
        (Array("syk".utf8), Array(#"{"event":{}}"#.utf8), "kafkaMetadata is missing"),
        (Array("syk".utf8), SendtSykmeldingFixtures.value(fnr: "123", periods: []), "fnr is not 11 digits"),
        (Array("syk".utf8), SendtSykmeldingFixtures.value(orgnummer: "12345678x", periods: []), "orgnummer is not 9 digits"),
        (Array("syk".utf8), SendtSykmeldingFixtures.value(periods: [("01.11.2026", "2026-11-02")]), "not yyyy-MM-dd"),
        (Array("syk".utf8), SendtSykmeldingFixtures.value(periods: [("2026-11-02", "2026-11-01")]), "ends before it starts"),
        ([], SendtSykmeldingFixtures.value(periods: []), "no key"),
    ])
    func aMessageThatCanNeverBeReadIsPoisonAndSaysWhy(key: [UInt8], value: [UInt8], reason: String) {
        #expect {
            _ = try SendtSykmeldingMessage.decode(key: key, value: value)
        } throws: { error in
            guard let poison = error as? PoisonMessage else { return false }
            return poison.reason.contains(reason) && !poison.reason.contains("01019012345")
        }
    }
}
