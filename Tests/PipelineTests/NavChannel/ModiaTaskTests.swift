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

    /// The message's fields are those of the class the existing service writes it from
    /// (`navikt/lps-oppfolgingsplan-mottak` `oppfolgingsplanmottak/kafka/domain/KFollowUpPlan.kt`)
    /// and the two readers read it into (`navikt/ispersonoppgave`
    /// `infrastructure/kafka/oppfolgingsplanlps/KOppfolgingsplanLPS.kt`, the same five fields and
    /// types; the topic's other reader, `dvh-sykefravar-airflow-kafka`, is in the topic's ACL,
    /// `nais/topics/lps-topic.yaml`). Both are Kotlin data classes of non-null fields read by
    /// Jackson's Kotlin module: every field present and non-null, `Int` a 32-bit integer,
    /// `String` a JSON string; `uuid` goes through `UUID.fromString` in ispersonoppgave.
    @Test func everyFieldIsTheOriginalClasssFieldWithItsType() throws {
        let original: [(name: String, kotlinType: String)] = [
            ("uuid", "String"), ("fodselsnummer", "String"), ("virksomhetsnummer", "String"), ("behovForBistandFraNav", "Boolean"),
            ("opprettet", "Int"),
        ]
        let task = NavChannelHandler.ModiaTask(
            uuid: UUID().lowercasedString, fodselsnummer: "01019012345", virksomhetsnummer: "123456789", behovForBistandFraNav: true,
            opprettet: NavChannelHandler.osloEpochDay())
        let text = try ContractJSONEncoder.string(task)
        // Field order as Jackson writes a data class (its constructor's order).
        let keys = original.map { "\"\($0.name)\":" }
        let positions = keys.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == Set(original.map(\.name)))
        for (name, kotlinType) in original {
            // The JSON value's first characters, as written.
            let value = text.range(of: "\"\(name)\":").map { String(text[$0.upperBound...].prefix(5)) } ?? ""
            switch kotlinType {
            case "String": #expect(value.hasPrefix("\"") && object[name] is String, "\(name)")
            case "Boolean": #expect(value.hasPrefix("true") || value.hasPrefix("false"), "\(name)")
            case "Int":
                #expect(value.first?.isNumber == true && (object[name] as? Int).map { Int(Int32.min)...Int(Int32.max) ~= $0 } == true, "\(name)")
            default: Issue.record("unknown type \(kotlinType)")
            }
        }
        #expect(UUID(uuidString: object["uuid"] as? String ?? "") != nil && (object["uuid"] as? String) == (object["uuid"] as? String)?.lowercased())
    }
}
