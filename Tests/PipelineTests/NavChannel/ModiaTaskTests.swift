import Domain
import Foundation
import Testing

@testable import NavChannel

/// The Modia task as ispersonoppgave and the data warehouse read it today: the fields of the
/// existing service's `KOppfolgingsplanLPS` (uuid, fodselsnummer, virksomhetsnummer,
/// behovForBistandFraNav, opprettet as days since 1970-01-01), in that class's order, which is
/// the order Jackson writes them in.
@Suite(.timeLimit(.minutes(5))) struct ModiaTaskTests {
    @Test func theTaskIsWrittenAsTheExistingServiceWritesIt() throws {
        let task = NavChannelHandler.ModiaTask(
            uuid: "4f0c2a5e-0b0d-4c5c-9e5a-6a2c9e1f3b7d", fodselsnummer: "01019012345", virksomhetsnummer: "123456789",
            behovForBistandFraNav: true, opprettet: NavChannelHandler.osloEpochDay(Date(timeIntervalSince1970: 1_795_766_400)))
        #expect(
            try ContractJSONEncoder.string(task)
                == #"{"uuid":"4f0c2a5e-0b0d-4c5c-9e5a-6a2c9e1f3b7d","fodselsnummer":"01019012345","virksomhetsnummer":"123456789","behovForBistandFraNav":true,"opprettet":20784}"#
        )
    }

    @Test func opprettetIsTodayInOslo() {
        // 23:30 UTC on 2026-11-26 is already 27 November in Oslo (UTC+1).
        let lateEvening = Date(timeIntervalSince1970: 1_795_735_800)
        #expect(NavChannelHandler.osloEpochDay(lateEvening) == 20784)
    }
}
