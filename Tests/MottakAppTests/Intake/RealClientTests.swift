import Foundation
import HTTPTypes
import HummingbirdTesting
import LocalStandIns
import NIOCore
import PostgresNIO
import Testing

@testable import MottakApp

/// Requests exactly as the existing service's real clients send them (issue #15; our own
/// copies of their shapes): NAV's LPS demo app (oppfolgingsplan-lps-demo: axios, a dev token
/// from `/api/test/token`, `toISOString()` dates, `""` for unset texts), the Bruno collection
/// (`{{$randomDateFuture}}`, a bare token) and the Kotlin test client (`LocalDate` as an array).
/// Each works unchanged, end to end on the local stack.
@Suite(.timeLimit(.minutes(5))) struct RealClientTests {
    static let axiosAccept = "application/json, text/plain, */*"

    @Test func theLpsDemoAppGetsItsTokenAndItsPlanCompletesForTheDevIdentity() async throws {
        try await PipelineFlowTests.withPipeline(devTokenCredentials: ("demo", "secret")) { pipeline in
            // The demo's server side: GET with Basic auth, axios' headers (Content-Type on a GET).
            let basic = "Basic " + Data("demo:secret".utf8).base64EncodedString()
            let tokenAnswer = try await pipeline.client.execute(
                uri: "/api/test/token", method: .get,
                headers: [.authorization: basic, .contentType: "application/json", .accept: Self.axiosAccept], body: nil)
            #expect(tokenAnswer.status == .ok)
            #expect(tokenAnswer.headers[.contentType]?.hasPrefix("text/plain") == true)
            let token = String(buffer: tokenAnswer.body)
            #expect(token.split(separator: ".").count == 3, "the raw access token")

            let wrong = try await pipeline.client.execute(
                uri: "/api/test/token", method: .get, headers: [.authorization: "Basic " + Data("demo:nope".utf8).base64EncodedString()], body: nil)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)

            // The demo's plan: the dev identity, 20 June picked in Oslo, "" for unset texts,
            // needsHelpFromNav null, no lpsEmail.
            let plan: [String: Any] = [
                "employeeIdentificationNumber": "01898299631", "typicalWorkday": "Kontorarbeid", "tasksThatCanStillBeDone": "Lett arbeid",
                "tasksThatCanNotBeDone": "Tunge løft", "previousFacilitation": "", "plannedFacilitation": "Kortere dager",
                "otherFacilitationOptions": "", "followUp": "Samtale hver uke", "evaluationDate": "2025-06-19T22:00:00.000Z",
                "sendPlanToNav": true, "needsHelpFromNav": NSNull(), "needsHelpFromNavDescription": "", "sendPlanToGeneralPractitioner": false,
                "messageToGeneralPractitioner": "", "additionalInformation": "", "contactPersonFullName": "Kari Leder",
                "contactPersonPhoneNumber": "99999999", "contactPersonEmail": "kari@svele.no", "employeeHasContributedToPlan": true,
                "employeeHasNotContributedToPlanDescription": "", "lpsName": "Svele",
            ]
            let answer = try await pipeline.client.execute(
                uri: "/api/v1/followupplan", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json", .accept: Self.axiosAccept],
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: plan)))
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            let result = try SubmitAnswer(answer)
            #expect(result.isSentToNavStatus && !result.isSentToGeneralPractitionerStatus)
            #expect(try await Self.storedEvaluationDate(result.uuid, pipeline.postgres) == "2025-06-20", "the day picked in Oslo")

            // The demo's status poll: a GET with Content-Type and axios' Accept.
            let status = try await pipeline.client.execute(
                uri: "/api/v1/followupplan/\(result.uuid)/sendingstatus", method: .get,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json", .accept: Self.axiosAccept], body: nil)
            #expect(status.status == .ok)
            #expect(try StatusBody(status).state == "COMPLETED")
        }
    }

    @Test func theBrunoCollectionAndTheKotlinTestClientAreAnsweredAsBefore() async throws {
        try await PipelineFlowTests.withPipeline { pipeline in
            let person = LocalNavFixtures.ready.identificationNumber
            let cases: [(name: String, authorization: String, evaluationDate: Any, stored: String)] = [
                // Bruno: {{$randomDateFuture}} is an instant; its "Authorization" is the bare token.
                ("bruno", pipeline.token, "2026-11-03T14:22:51.123Z", "2026-11-03"),
                // The Kotlin test client: Jackson writes a LocalDate as [y, m, d].
                ("kotlin", "Bearer \(pipeline.token)", [2027, 1, 31], "2027-01-31"),
                // A local date-time and an offset.
                ("local", "Bearer \(pipeline.token)", "2027-01-31T00:00:00", "2027-01-31"),
                ("offset", "bearer \(pipeline.token)", "2027-02-01T00:00:00+01:00", "2027-02-01"),
            ]
            for entry in cases {
                var plan = PlanJSON.valid
                plan["employeeIdentificationNumber"] = person
                plan["evaluationDate"] = entry.evaluationDate
                plan["needsHelpFromNav"] = false
                plan["needsHelpFromNavDescription"] = ""
                plan["lpsEmail"] = nil
                plan["someFieldWeDoNotKnow"] = ["ignored": true]
                plan["employeeHasNotContributedToPlanDescription"] = ""
                let answer = try await pipeline.client.execute(
                    uri: "/api/v1/followupplan", method: .post,
                    headers: [.authorization: entry.authorization, .contentType: "application/json", .accept: "*/*"],
                    body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: plan)))
                #expect(answer.status == .ok, "\(entry.name): \(String(buffer: answer.body))")
                let uuid = try SubmitAnswer(answer).uuid
                #expect(try await Self.storedEvaluationDate(uuid, pipeline.postgres) == entry.stored, "\(entry.name)")
            }

            // What stays a 400: a date in none of the forms, naming the field and the forms.
            for bad in ["", "31.01.2027"] as [Any] + [[2027, 13, 1], 20_270_131] as [Any] {
                var plan = PlanJSON.valid
                plan["evaluationDate"] = bad
                let answer = try await pipeline.client.execute(
                    uri: "/api/v1/followupplan", method: .post,
                    headers: [.authorization: "Bearer \(pipeline.token)", .contentType: "application/json"],
                    body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: plan)))
                #expect(answer.status == .badRequest)
                let error = try ApiErrorBody(answer)
                #expect(error.type == "BAD_REQUEST" && error.message.contains("evaluationDate must be a date yyyy-MM-dd, an ISO-8601 date-time"))
            }
        }
    }

    /// The dev helpers (`/api/test/token`, `/demo`) exist in `mottak-dev` only; `serve` builds
    /// the application without them.
    @Test func theDevHelpersAreServedInDevOnly() async throws {
        try await PipelineFlowTests.withPipeline(devTokenCredentials: ("demo", "demo")) { pipeline in
            for (path, type) in [
                ("/demo", "text/html"), ("/demo/demo.js", "text/javascript"), ("/demo/demo.css", "text/css"), ("/demo/token", "text/plain"),
            ] {
                let response = try await pipeline.client.execute(uri: path, method: .get, headers: [:], body: nil)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
            }
            let page = try await pipeline.client.execute(uri: "/demo", method: .get, headers: [:], body: nil)
            #expect(!String(buffer: page.body).contains("://"), "no CDN: every file comes from the service")
        }
        try await IntakeTestApp.run { app in
            for path in ["/demo", "/demo/token", "/api/test/token"] {
                let response = try await app.client.execute(uri: path, method: .get, headers: [:], body: nil)
                #expect(response.status == .notFound, "\(path) outside mottak-dev")
            }
        }
    }

    static func storedEvaluationDate(_ uuid: String, _ postgres: PostgresClient) async throws -> String? {
        let rows = try await postgres.query("SELECT evaluation_date::text FROM followup_plan WHERE uuid = \(UUID(uuidString: uuid)!)")
        for try await date in rows.decode(String.self) { return date }
        return nil
    }
}
