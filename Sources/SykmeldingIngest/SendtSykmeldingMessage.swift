import Domain
import EventProcessing
import Foundation

/// A message of `teamsykmelding.syfo-sendt-sykmelding` (domain-reference.md 5.3): key = the
/// sykmelding id, value = the sent sykmelding as JSON, or null (a tombstone: withdrawn).
/// Unknown fields are ignored; only what the intake needs is read.
public enum SendtSykmeldingMessage: Equatable, Sendable {
    case sykmelding(SendtSykmelding)
    case tombstone(sykmeldingID: String)
    /// A sykmelding with `event.arbeidsgiver: null` (sent to no employer we can match): nothing
    /// for the intake's check, so it is skipped and counted, not dead-lettered.
    case withoutEmployer(sykmeldingID: String)

    /// Reads a message, or says why it can never be read (``PoisonMessage``).
    public static func decode(key: [UInt8]?, value: [UInt8]?) throws(PoisonMessage) -> SendtSykmeldingMessage {
        guard let key, !key.isEmpty else { throw PoisonMessage("no key: the key is the sykmelding id") }
        let sykmeldingID = String(decoding: key, as: UTF8.self)
        guard let value else { return .tombstone(sykmeldingID: sykmeldingID) }

        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(value))
        } catch {
            throw PoisonMessage("not a sent sykmelding: \(Self.describe(error))")
        }
        let fnr = document.kafkaMetadata.fnr
        guard FollowUpPlanValidation.isIdentificationNumber(fnr) else { throw PoisonMessage("kafkaMetadata.fnr is not 11 digits") }
        guard let employer = document.event.arbeidsgiver else { return .withoutEmployer(sykmeldingID: sykmeldingID) }
        let organization = employer.orgnummer
        guard organization.count == 9, organization.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw PoisonMessage("event.arbeidsgiver.orgnummer is not 9 digits")
        }
        var periods: [SendtSykmelding.Period] = []
        for (index, period) in document.sykmelding.sykmeldingsperioder.enumerated() {
            guard let fom = CalendarDate(iso: period.fom), let tom = CalendarDate(iso: period.tom) else {
                throw PoisonMessage("sykmelding.sykmeldingsperioder[\(index)] has a date that is not yyyy-MM-dd")
            }
            guard fom <= tom else { throw PoisonMessage("sykmelding.sykmeldingsperioder[\(index)] ends before it starts") }
            periods.append(.init(fom: fom, tom: tom))
        }
        return .sykmelding(
            SendtSykmelding(
                sykmeldingID: sykmeldingID, employeeIdentificationNumber: fnr, organizationNumber: organization, periods: periods))
    }

    /// The paths the intake reads; everything else in the message is ignored.
    struct Document: Decodable {
        struct KafkaMetadata: Decodable { var fnr: String }
        struct Event: Decodable {
            struct Arbeidsgiver: Decodable { var orgnummer: String }
            var arbeidsgiver: Arbeidsgiver?
        }
        struct Sykmelding: Decodable {
            struct Periode: Decodable {
                var fom: String
                var tom: String
            }
            var sykmeldingsperioder: [Periode]
        }
        var kafkaMetadata: KafkaMetadata
        var event: Event
        var sykmelding: Sykmelding
    }

    /// Names the field for a missing or mistyped value; never echoes values (they hold an fnr).
    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default:
            "the value is not JSON"
        }
    }
}
