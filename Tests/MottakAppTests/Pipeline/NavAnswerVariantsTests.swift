import Domain
import Foundation
import LocalStandIns
import PostgresNIO
import Testing

/// The whole pipeline against stand-ins that answer as NAV's real APIs do, variants included
/// (docs/contracts/): every fixture ends as its answers say, permanent answers are not retried,
/// a refused access is retried and counted but never decides, and KRR cannot hold a plan.
@Suite(.timeLimit(.minutes(5))) struct NavAnswerVariantsTests {
    @Test func everyVariantFixtureEndsAsTheRealAnswersSay() async throws {
        try await PipelineFlowTests.withPipeline { pipeline in
            let invalid = try await pipeline.submit(LocalNavFixtures.invalidIdentity)
            let variants = try await pipeline.submit(LocalNavFixtures.variants)
            let refused = try await pipeline.submit(LocalNavFixtures.refusedByIsdialogmelding, ["needsHelpFromNav": false])
            try await PipelineFlowTests.waitForState(of: invalid, "REJECTED", pipeline.postgres)
            try await PipelineFlowTests.waitForState(of: variants, "COMPLETED", pipeline.postgres)
            try await PipelineFlowTests.waitForState(of: refused, "COMPLETED", pipeline.postgres)

            // PDL's bad_request (ugyldig_ident) is the caller's EMPLOYEE_NOT_FOUND, asked once.
            #expect(try await PipelineFlowTests.errorType(of: invalid, pipeline.postgres) == "EMPLOYEE_NOT_FOUND")
            #expect(Self.requests(to: .pdl, about: LocalNavFixtures.invalidIdentity, pipeline.nav) == 1, "a permanent answer is not retried")

            // A person as employer, no `gjeldende`, an inactive KRR entry and a journal post
            // dokarkiv could not finish: delivered on both channels, the post's string id kept.
            let channels = try await PipelineFlowTests.channelStates(pipeline.postgres)
            #expect(channels[variants]?.nav == "SENT" && channels[variants]?.gp == "SENT")
            let journalposts = try await PipelineFlowTests.journalposts(pipeline.postgres)
            #expect(journalposts[variants].map { $0.hasPrefix("60000") && Int($0) != nil } == true, "\(journalposts)")
            let variantsPDF = try PipelineFlowTests.pdfData(for: LocalNavFixtures.variants, pipeline.nav).first
            #expect(variantsPDF?["employeePhoneNumber"] is NSNull && variantsPDF?["employeeEmail"] is NSNull, "aktiv: false shows no contact details")

            // isdialogmelding's 400 (plain text): the GP channel failed for good, with a
            // catalogue message, sent once; NAV still got the plan.
            #expect(channels[refused]?.nav == "SENT" && channels[refused]?.gp == "FAILED")
            let gp = try await Self.gpError(of: refused, pipeline.postgres)
            #expect(gp.type == ApiError.generalPractitionerMessageRefused.type.rawValue)
            #expect(gp.message == ApiError.generalPractitionerMessageRefused.message)
            #expect(Self.requests(to: .isdialogmelding, about: LocalNavFixtures.refusedByIsdialogmelding, pipeline.nav) == 1)
            let refusedPDF = try PipelineFlowTests.pdfData(for: LocalNavFixtures.refusedByIsdialogmelding, pipeline.nav).first
            #expect(refusedPDF?["employeePhoneNumber"] is NSNull, "KRR's person_ikke_funnet: no contact details")

            let metrics = try await PipelineFlowTests.metrics(pipeline.client)
            #expect(metrics.sum("mottak_dokarkiv_not_finalised_total") == 1)
            #expect(metrics.sum("mottak_message_retries_total") == 0, "no answer here is an outage")
            #expect(metrics.sum("mottak_access_denied_total") == 0)
        }
    }

    @Test func aRefusedAccessIsRetriedAndCountedButNeverDecidesThePlan() async throws {
        try await PipelineFlowTests.withPipeline { pipeline in
            // PDL says `unauthorized` (HTTP 200, GraphQL error), isdialogmelding 403 (plain
            // text), each twice; then access is "fixed".
            pipeline.nav.inject(
                .answer(
                    200,
                    body:
                        #"{"errors":[{"message":"Ikke tilgang","extensions":{"code":"unauthorized","classification":"ExecutionAborted"}}],"data":{"hentPerson":null}}"#,
                    times: 2),
                into: .pdl)
            pipeline.nav.inject(
                .answer(403, body: "Consumer is denied access to system API", contentType: "text/plain", times: 2), into: .isdialogmelding)
            let plan = try await pipeline.submit(LocalNavFixtures.ready, ["needsHelpFromNav": false])
            try await PipelineFlowTests.waitForState(of: plan, "COMPLETED", pipeline.postgres)
            let channels = try await PipelineFlowTests.channelStates(pipeline.postgres)
            #expect(channels[plan]?.nav == "SENT" && channels[plan]?.gp == "SENT")

            let metrics = try await PipelineFlowTests.metrics(pipeline.client)
            #expect(metrics.sum("mottak_access_denied_total", [#"dependency="pdl""#]) == 2)
            #expect(metrics.sum("mottak_access_denied_total", [#"dependency="isdialogmelding""#]) == 2)
            #expect(metrics.sum("mottak_external_request_failures_total", [#"target="isdialogmelding""#, #"reason="access_denied""#]) == 2)
            #expect(metrics.sum("mottak_dead_letters_total") == 0)
            #expect(pipeline.nav.requests(to: .isdialogmelding).map(\.status) == [403, 403, 200])
        }
    }

    @Test func aKrrThatCannotAnswerLeavesTheContactDetailsOutInsteadOfHoldingTheChannels() async throws {
        try await PipelineFlowTests.withPipeline { pipeline in
            pipeline.nav.inject(.status(503), into: .krr)
            let plan = try await pipeline.submit(LocalNavFixtures.ready, ["needsHelpFromNav": false])
            try await PipelineFlowTests.waitForState(of: plan, "COMPLETED", pipeline.postgres)
            let pdf = try PipelineFlowTests.pdfData(for: LocalNavFixtures.ready, pipeline.nav)
            #expect(pdf.count == 1, "one PDF for both channels")
            #expect(pdf.first?["employeePhoneNumber"] is NSNull && pdf.first?["employeeEmail"] is NSNull)
            #expect(pdf.first?["employeeName"] as? String == "Kari Nordmann", "PDL's part is there")
            #expect(pipeline.nav.requests(to: .krr).count == 2, "a short bounded retry, then without")
            let metrics = try await PipelineFlowTests.metrics(pipeline.client)
            #expect(metrics.sum("mottak_pdf_without_contact_details_total") == 1)
            #expect(metrics.sum("mottak_message_retries_total") == 0, "neither channel waited for KRR")
        }
    }

    /// Requests to `api` whose body names `person`.
    static func requests(to api: LocalNavServer.API, about person: LocalNavFixtures.Person, _ nav: LocalNavServer) -> Int {
        nav.requests(to: api).filter { String(decoding: $0.body, as: UTF8.self).contains(person.identificationNumber) }.count
    }

    static func gpError(of plan: UUID, _ postgres: PostgresClient) async throws -> (type: String?, message: String?) {
        let rows = try await postgres.query("SELECT gp_error_type, gp_error_message FROM plan_status WHERE plan_uuid = \(plan)")
        for try await row in rows.decode((String?, String?).self) { return (row.0, row.1) }
        return (nil, nil)
    }
}
