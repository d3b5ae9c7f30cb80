import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import LegacyImport
import LocalStandIns
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import Storage
import TestSupport
import Testing

@testable import MottakApp

/// The cut-over as an operator runs it: the old service's database made by its own migrations
/// and filled as its code filled it, `import-legacy` into a database this service runs on, and
/// then what its users ask: an LPS the status of a plan it sent to the old service, a case
/// worker the person's plans and their PDFs.
@Suite(.timeLimit(.minutes(5))) struct LegacyImportTests {
    static let person = ModiaTestApp.person
    static let organisation = "123456789"

    /// The rows of the main test: every kind the old service made, and four it must refuse.
    struct Fixture: Sendable {
        var bothSent = LegacyDatabase.ApiRow(
            pdf: LegacyDatabase.pdf("both"), sendToGeneralPractitioner: true, sentToGeneralPractitionerAt: "'2025-03-30 03:30:00.123456'",
            createdAt: "'2025-03-30 03:29:59.9'", lastUpdatedAt: "'2025-03-30 03:30:00.2'")
        var navOnly = LegacyDatabase.ApiRow(
            pdf: LegacyDatabase.pdf("nav", size: 150_000), needsHelp: "false", helpDescription: "NULL", lpsEmail: "'support@lps.example'",
            createdAt: "'2026-10-25 02:30:00'", lastUpdatedAt: "'2026-10-25 02:45:10.000001'", journalpostID: "'453912345'",
            typicalWorkday: "E'Skift\\tarbeid; «natt» – ''sitat'' \\\\ ✓'")
        var generalPractitionerNotFound = LegacyDatabase.ApiRow(
            pdf: LegacyDatabase.pdf("gp"), sendToNav: false, needsHelp: "NULL", helpDescription: "NULL", sentToNavAt: nil,
            sendToGeneralPractitioner: true, lastUpdatedAt: "'2025-11-04 08:00:00'")
        var failedMidway = LegacyDatabase.ApiRow(sentToNavAt: nil, lastUpdatedAt: "'2025-11-05 08:00:00'")
        var otherOrganisation = LegacyDatabase.ApiRow(organization: "999999999", pdf: LegacyDatabase.pdf("other"))
        var notContributed = LegacyDatabase.ApiRow(
            pdf: LegacyDatabase.pdf("nc"), contributed: "false", notContributedDescription: "'Var syk'", lpsName: "''",
            lastUpdatedAt: "'2025-11-06 10:00:00'", evaluationDate: "'2024-02-29'")
        // Refused: each breaks one rule the old service's own validation holds.
        var shortIdentity = LegacyDatabase.ApiRow(person: "0101011234")
        var notAPdf = LegacyDatabase.ApiRow(pdf: Array("<html>not a pdf</html>".utf8))
        var contributedWithDescription = LegacyDatabase.ApiRow(notContributedDescription: "'x'")
        var noLpsName = LegacyDatabase.ApiRow(lpsName: "NULL")

        var altinnShown = LegacyDatabase.AltinnRow(pdf: LegacyDatabase.pdf("altinn"))
        var altinnNotToNav = LegacyDatabase.AltinnRow(pdf: LegacyDatabase.pdf("altinn-gp"), shouldSendToNav: false)
        var altinnWithoutPdf = LegacyDatabase.AltinnRow()
        var altinnBadOrganisation = LegacyDatabase.AltinnRow(organization: "12345678", pdf: LegacyDatabase.pdf("bad"))

        var good: [LegacyDatabase.ApiRow] { [bothSent, navOnly, generalPractitionerNotFound, failedMidway, otherOrganisation, notContributed] }
        var refused: [LegacyDatabase.ApiRow] { [shortIdentity, notAPdf, contributedWithDescription, noLpsName] }

        func insert(into postgres: PostgresClient) async throws {
            for row in good + refused { try await LegacyDatabase.insert(row, into: postgres) }
            for row in [altinnShown, altinnNotToNav, altinnWithoutPdf, altinnBadOrganisation] {
                try await LegacyDatabase.insert(row, into: postgres)
            }
        }
    }

    @Test func theOldServicesPlansAnswerAsTheyDidThereAndASecondRunChangesNothing() async throws {
        try await ModiaTestApp.run { app in
            try await LegacyDatabase.withDatabase { legacy, old in
                let fixture = Fixture()
                try await fixture.insert(into: old)
                // 120 more plans over several pages (batch size 40).
                for index in 0..<120 {
                    try await LegacyDatabase.insert(
                        LegacyDatabase.ApiRow(person: String(format: "020202%05d", index), pdf: LegacyDatabase.pdf("bulk-\(index)")), into: old)
                }

                let report = try await LegacyDatabase.runImport(from: legacy, to: app.database)
                let api = try #require(report.tables.first { $0.table == .api })
                let altinn = try #require(report.tables.first { $0.table == .altinn })
                #expect(report.exitStatus == 0, "\(report.text)")
                #expect(api.sourceRows == 130 && api.written == 126 && api.refused.count == 4 && api.collisions.isEmpty)
                #expect(api.verified == 126 && api.differing.isEmpty)
                #expect(Set(api.refused.map(\.uuid)) == Set(fixture.refused.map(\.uuid)))
                #expect(
                    api.refused.first { $0.uuid == fixture.shortIdentity.uuid }?.reason.contains("Invalid employee identification number") == true)
                #expect(api.refused.first { $0.uuid == fixture.notAPdf.uuid }?.reason.contains("not a PDF") == true)
                #expect(api.refused.first { $0.uuid == fixture.noLpsName.uuid }?.reason.contains("lps_name") == true)
                #expect(altinn.sourceRows == 4 && altinn.written == 3 && altinn.refused.map(\.uuid) == [fixture.altinnBadOrganisation.uuid])
                #expect(altinn.verified == 3)
                #expect(report.text.contains("refused \(fixture.notAPdf.uuid.uuidString.lowercased())"))

                // The LPS asks the status of its plans: the old service's answer, scoped to the organisation.
                let expected: [(LegacyDatabase.ApiRow, nav: Bool, gp: Bool, state: String)] = [
                    (fixture.bothSent, true, true, "COMPLETED"), (fixture.navOnly, true, false, "COMPLETED"),
                    (fixture.generalPractitionerNotFound, false, false, "FAILED"), (fixture.failedMidway, false, false, "FAILED"),
                    (fixture.notContributed, true, false, "COMPLETED"),
                ]
                for (row, nav, gp, state) in expected {
                    let status = try await Self.status(row.uuid, app: app)
                    #expect(status.code == .ok)
                    #expect(status.body["uuid"] as? String == row.uuid.uuidString.lowercased())
                    #expect(status.body["isSentToNavStatus"] as? Bool == nav, "\(row)")
                    #expect(status.body["isSentToGeneralPractitionerStatus"] as? Bool == gp, "\(row)")
                    #expect(status.body["state"] as? String == state)
                }
                let failed = try await Self.status(fixture.failedMidway.uuid, app: app)
                #expect((failed.body["error"] as? [String: Any])?["message"] as? String == PublicProblems.previousServiceDidNotDeliver.message)
                #expect(try await Self.status(fixture.otherOrganisation.uuid, app: app).code == .notFound)
                #expect(try await Self.status(fixture.otherOrganisation.uuid, app: app, organisation: "999999999").code == .ok)
                #expect(try await Self.status(fixture.noLpsName.uuid, app: app).code == .notFound)
                #expect(try await Self.status(fixture.altinnShown.uuid, app: app).code == .notFound, "Altinn plans never had an LPS status")

                // The case worker lists the person's plans: the old query's, last changed first, in Oslo time.
                let list = try await app.plans(of: Self.person)
                #expect(list.status == .ok)
                let plans = try #require(try JSONSerialization.jsonObject(with: Data(buffer: list.body)) as? [[String: Any]])
                // Not listed: the GP-only plan, the one without a PDF, the Altinn plans not to NAV or without one.
                #expect(
                    plans.map { $0["uuid"] as? String }
                        == [
                            fixture.navOnly.uuid, fixture.notContributed.uuid, fixture.otherOrganisation.uuid, fixture.bothSent.uuid,
                            fixture.altinnShown.uuid,
                        ].map { $0.uuidString.lowercased() })
                let navOnly = try #require(plans.first { $0["uuid"] as? String == fixture.navOnly.uuid.uuidString.lowercased() })
                #expect(navOnly["opprettet"] as? String == "2026-10-25T02:30:00")
                #expect(navOnly["sistEndret"] as? String == "2026-10-25T02:45:10.000001")
                #expect(navOnly["virksomhetsnummer"] as? String == Self.organisation)
                let altinnEntry = try #require(plans.last)
                #expect(altinnEntry["opprettet"] as? String == "2023-02-01T12:00:00")
                #expect(altinnEntry["sistEndret"] as? String == "2023-02-01T12:05:00.25")

                // …and opens them: the very bytes the old service stored.
                for row in [fixture.bothSent, fixture.navOnly] {
                    let pdf = try await app.pdf(row.uuid.uuidString)
                    #expect(pdf.status == .ok && Array(buffer: pdf.body) == row.pdf)
                }
                let altinnPdf = try await app.pdf(fixture.altinnShown.uuid.uuidString)
                #expect(altinnPdf.status == .ok && Array(buffer: altinnPdf.body) == fixture.altinnShown.pdf)
                for hidden in [fixture.generalPractitionerNotFound.uuid, fixture.altinnNotToNav.uuid, fixture.altinnWithoutPdf.uuid] {
                    #expect(try await app.pdf(hidden.uuidString).status == .notFound)
                }

                // No uuid the old service used can become a new plan.
                for used in [fixture.bothSent.uuid, fixture.altinnShown.uuid] {
                    let error = await #expect(throws: PSQLError.self) {
                        try await PlanRows.insert(app.postgres, ["uuid": "'\(used.uuidString.lowercased())'"])
                    }
                    #expect(error?.serverInfo?[.sqlState] == "23505")
                }

                // A second run changes nothing and says so.
                let again = try await LegacyDatabase.runImport(from: legacy, to: app.database)
                #expect(again.exitStatus == 0 && again.written == 0)
                #expect(again.tables.map(\.unchanged) == [126, 3])
                #expect(again.tables.map(\.verified) == [126, 3])
                #expect(again.text.contains("Nothing changed"))
            }
        }
    }

    /// An LPS's status request with a Maskinporten token of `organisation`.
    static func status(_ uuid: UUID, app: ModiaTestApp, organisation: String = organisation) async throws -> (
        code: HTTPResponse.Status, body: [String: Any]
    ) {
        let response = try await app.client.execute(
            uri: "/api/v1/followupplan/\(uuid.uuidString.lowercased())/sendingstatus", method: .get,
            headers: [.authorization: "Bearer \(try app.maskinporten.token(consumer: organisation))"])
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:])
    }
}
