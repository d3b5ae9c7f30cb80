import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LocalStandIns
import PostgresNIO
import Testing

@testable import MottakApp

/// `POST /api/v1/followupplan` and `verify-integration` over the whole application: real
/// PostgreSQL, real Maskinporten-shaped tokens fetched over HTTP.
@Suite(.timeLimit(.minutes(5))) struct IntakeRoutesTests {
    @Test func aValidPlanIsStoredWithItsStatusAndAnEventWithoutPersonalData() async throws {
        try await IntakeTestApp.run { app in
            let response = try await app.submit(
                PlanJSON.body(["sendPlanToGeneralPractitioner": true]), token: try app.token(consumer: "123456789", supplier: "987654321"))
            #expect(response.status == .accepted)
            #expect(response.headers[.contentType] == "application/json")
            let answer = try SubmitAnswer(response)
            #expect(answer.uuid.count == 36)
            #expect(!answer.isSentToNavStatus && !answer.isSentToGeneralPractitionerStatus)
            let body = String(buffer: response.body)
            #expect(body.hasPrefix(#"{"uuid":""#), "properties in the contract's order: \(body)")

            let plans = try await app.postgres.query(
                "SELECT employer_org_number, lps_org_number, submitted_via, employee_identification_number, evaluation_date::text FROM followup_plan WHERE uuid = \(UUID(uuidString: answer.uuid)!)"
            )
            var planRows: [(String, String, String, String, String)] = []
            for try await row in plans.decode((String, String, String, String, String).self) { planRows.append(row) }
            #expect(planRows.count == 1)
            #expect(planRows.first?.0 == "123456789")
            #expect(planRows.first?.1 == "987654321")
            #expect(planRows.first?.2 == "HTTP")
            #expect(planRows.first?.3 == "01019012345")
            #expect(planRows.first?.4 == "2027-01-15")

            let status = try await app.postgres.query("SELECT state, nav_state, gp_state FROM plan_status")
            for try await (state, nav, gp) in status.decode((String, String, String).self) {
                #expect(state == "RECEIVED")
                #expect(nav == "PENDING")
                #expect(gp == "PENDING")
            }

            let events = try await app.postgres.query("SELECT topic, message_key, payload::text, headers::text FROM outbox")
            var eventCount = 0
            for try await (topic, key, payload, headers) in events.decode((String, String, String, String).self) {
                eventCount += 1
                #expect(topic == "followupplan.received")
                #expect(key == answer.uuid)
                #expect(!payload.contains("01019012345"), "the event must not carry the identity number")
                #expect(!payload.contains("Warehouse"), "the event must not carry plan text")
                let event = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any]
                #expect(event?["uuid"] as? String == answer.uuid, "one spelling of the uuid everywhere")
                #expect(event?["employerOrgNumber"] as? String == "123456789")
                #expect(event?["lpsOrgNumber"] as? String == "987654321")
                #expect(event?["sendPlanToNav"] as? Bool == true)
                #expect(event?["needsHelpFromNav"] as? Bool == true)
                #expect(event?["sendPlanToGeneralPractitioner"] as? Bool == true)
                #expect(headers.contains("followupplan.received.v1"))
                #expect(headers.contains(response.headers[HTTPField.Name("Nav-Call-Id")!] ?? "?"))
            }
            #expect(eventCount == 1)
        }
    }

    @Test func withoutSupplierTheEmployerIsTheLpsAndUnrequestedChannelsAreNotRequested() async throws {
        try await IntakeTestApp.run { app in
            let response = try await app.submit(PlanJSON.body(["sendPlanToNav": false, "needsHelpFromNav": false]))
            #expect(response.status == .accepted)
            let rows = try await app.postgres.query(
                "SELECT p.lps_org_number, s.nav_state, s.gp_state FROM followup_plan p JOIN plan_status s ON s.plan_uuid = p.uuid")
            for try await (lps, nav, gp) in rows.decode((String, String, String).self) {
                #expect(lps == "123456789")
                #expect(nav == "NOT_REQUESTED")
                #expect(gp == "NOT_REQUESTED")
            }
        }
    }

    @Test func everyValidationRuleAnswersItsContractMessageAndStoresNothing() async throws {
        let cases: [(Data, String)] = [([String: Any], String)]([
            (["sendPlanToNav": false, "needsHelpFromNav": true], "needsHelpFromNav cannot be true if sendPlanToNav is false"),
            (["needsHelpFromNavDescription": "  "], "needsHelpFromNavDescription is obligatory if needsHelpFromNav is true"),
            (
                ["employeeHasContributedToPlan": false],
                "employeeHasNotContributedToPlanDescription is mandatory if employeeHasContributedToPlan = false"
            ),
            (
                ["employeeHasNotContributedToPlanDescription": " "],
                "employeeHasNotContributedToPlanDescription should not be set if employeeHasContributedToPlan = true"
            ),
            (["employeeIdentificationNumber": "0101901234"], "Invalid employee identification number"),
        ]).map { (PlanJSON.body($0.0), $0.1) }
        try await IntakeTestApp.run { app in
            for (body, message) in cases {
                let response = try await app.submit(body)
                #expect(response.status == .badRequest)
                #expect(
                    try ApiErrorBody(response)
                        == ApiErrorBody(status: .init(value: 400, description: "Bad Request"), type: "VALIDATION_ERROR", message: message))
            }
            #expect(try await app.count("followup_plan") == 0)
            #expect(try await app.count("outbox") == 0)
        }
    }

    @Test func bodyErrorsNameTheFieldAndStoreNothing() async throws {
        try await IntakeTestApp.run { app in
            let cases: [(Data, String)] = [
                (PlanJSON.body(removing: ["typicalWorkday"]), "typicalWorkday"),
                (PlanJSON.body(["followUp": NSNull()]), "followUp"),
                (PlanJSON.body(removing: ["sendPlanToGeneralPractitioner"]), "sendPlanToGeneralPractitioner"),
                (PlanJSON.body(["sendPlanToNav": "yes"]), "sendPlanToNav"),
                (PlanJSON.body(["evaluationDate": "15.01.2027"]), "evaluationDate"),
                (Data("{\"employeeIdentificationNumber\": ".utf8), "not valid JSON"),
                (Data("[1,2]".utf8), "JSON object"),
            ]
            for (body, mentioned) in cases {
                let response = try await app.submit(body)
                #expect(response.status == .badRequest)
                let error = try ApiErrorBody(response)
                #expect(error.type == "BAD_REQUEST")
                #expect(error.message.hasPrefix("Failed to convert request body"))
                #expect(error.message.contains(mentioned), "\(error.message)")
            }
            #expect(try await app.count("followup_plan") == 0)
        }
    }

    @Test func aHugeBodyIs413AndAnotherContentTypeIs415() async throws {
        try await IntakeTestApp.run { app in
            let huge = PlanJSON.body(["additionalInformation": String(repeating: "x", count: 1 << 20)])
            let tooLarge = try await app.submit(huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try ApiErrorBody(tooLarge).status == .init(value: 413, description: "Payload Too Large"))

            for contentType in ["text/plain", "application/x-www-form-urlencoded"] {
                let response = try await app.submit(headers: [.contentType: contentType])
                #expect(response.status == .unsupportedMediaType)
                #expect(try ApiErrorBody(response).message.contains(contentType))
            }
            #expect(try await app.submit(headers: [.contentType: "application/json; charset=utf-8"]).status == .accepted)
            #expect(try await app.count("followup_plan") == 1)
        }
    }

    @Test func theCallIDIsEchoedOrMadeUp() async throws {
        try await IntakeTestApp.run { app in
            let callID = HTTPField.Name("Nav-Call-Id")!
            let given = try await app.submit(headers: [callID: "lps-call-42"])
            #expect(given.headers[callID] == "lps-call-42")
            let madeUp = try await app.submit(PlanJSON.body(["employeeIdentificationNumber": "x"]))
            #expect(UUID(uuidString: madeUp.headers[callID] ?? "") != nil, "an error answer has a call id too")
        }
    }

    @Test func verifyIntegrationAnswersPlainTextWithAValidTokenOnly() async throws {
        try await IntakeTestApp.run { app in
            let ok = try await app.client.execute(
                uri: "/api/v1/followupplan/verify-integration", method: .get, headers: [.authorization: "Bearer \(try app.token())"], body: nil)
            #expect(ok.status == .ok)
            #expect(String(buffer: ok.body) == "Integration is up and running")
            #expect(ok.headers[.contentType]?.hasPrefix("text/plain") == true)

            let refused = try await app.client.execute(uri: "/api/v1/followupplan/verify-integration", method: .get, headers: [:], body: nil)
            #expect(refused.status == .unauthorized)
            #expect(try ApiErrorBody(refused).type == "AUTHENTICATION_ERROR")
            #expect(refused.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test func anUnexpectedDatabaseErrorIs500WithTheCallIDAndLeavesNoRowInAnyTable() async throws {
        try await IntakeTestApp.run { app in
            // A failure inside the transaction, after the plan and status rows were written.
            try await app.postgres.query(
                """
                CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'outbox is refusing rows (secret detail)'; END $$
                """)
            try await app.postgres.query("CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox()")
            let response = try await app.submit(headers: [HTTPField.Name("Nav-Call-Id")!: "call-500"])
            #expect(response.status == .internalServerError)
            let error = try ApiErrorBody(response)
            #expect(error.type == "INTERNAL_SERVER_ERROR")
            #expect(error.message.contains("call-500"))
            #expect(!error.message.contains("secret"), "no internal detail in the answer")
            #expect(try await app.count("followup_plan") == 0)
            #expect(try await app.count("plan_status") == 0)
            #expect(try await app.count("outbox") == 0)
        }
    }

    @Test func anUnknownRouteIsAnApiErrorToo() async throws {
        try await IntakeTestApp.run { app in
            let response = try await app.client.execute(uri: "/api/v1/nothing-here", method: .get, headers: [:], body: nil)
            #expect(response.status == .notFound)
            #expect(
                try ApiErrorBody(response)
                    == ApiErrorBody(status: .init(value: 404, description: "Not Found"), type: "NOT_FOUND", message: "Not found"))

            // A known path with a method it does not serve: 405 and what it does serve.
            for (method, uri, allow) in [
                (HTTPRequest.Method.put, "/api/v1/followupplan", "POST"), (.delete, "/api/v1/followupplan/\(UUID())/sendingstatus", "GET"),
                (HTTPRequest.Method("TRACE")!, "/api/v1/followupplan/verify-integration", "GET"),
                // Methods the router has no route for at all (schemathesis tries QUERY).
                (HTTPRequest.Method("QUERY")!, "/api/v1/followupplan", "POST"),
                (HTTPRequest.Method("FROBNICATE")!, "/api/v1/followupplan/verify-integration/", "GET"),
            ] {
                let refused = try await app.client.execute(uri: uri, method: method, headers: [:], body: nil)
                #expect(refused.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(refused.headers[.allow] == allow)
                #expect(try ApiErrorBody(refused).type == "BAD_REQUEST")
            }
        }
    }

    @Test func theSpecAndSwaggerAreServed() async throws {
        try await IntakeTestApp.run { app in
            let spec = try await app.client.execute(uri: "/openapi.yaml", method: .get, headers: [:], body: nil)
            #expect(spec.status == .ok)
            let text = String(buffer: spec.body)
            for path in ["/api/v1/followupplan:", "/api/v1/followupplan/verify-integration:", "/api/v1/followupplan/{uuid}/sendingstatus:"] {
                #expect(text.contains(path))
            }
            for code in ["'200'", "'202'", "'400'", "'401'", "'403'", "'404'", "'413'", "'415'", "'422'", "'500'", "'503'"] {
                #expect(text.contains(code))
            }
            for state in PlanState.allCases { #expect(text.contains(state.rawValue)) }
            for state in ChannelState.allCases { #expect(text.contains(state.rawValue)) }
            for type in ErrorType.allCases { #expect(text.contains("- \(type.rawValue)"), "the spec lists \(type.rawValue)") }
            for header in ["Idempotency-Key", "Nav-Call-Id", "Idempotent-Replayed", "WWW-Authenticate", "Prefer", "Preference-Applied", "Location"] {
                #expect(text.contains(header))
            }
            #expect(spec.body.readableBytes == (try StaticAssets.bundled()["openapi.yaml"]?.bytes.count), "the file, as it is")
            let swagger = try await app.client.execute(uri: "/swagger", method: .get, headers: [:], body: nil)
            let page = String(buffer: swagger.body)
            #expect(page.contains("/openapi.yaml"))
            // Swagger UI's files come from the service itself: no CDN, so it works offline.
            #expect(!page.contains("://"), "\(page)")
            for (file, type) in [("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"), ("LICENSE", "text/plain")] {
                let path = "/swagger/\(StaticAssets.swaggerUIVersion)/\(file)"
                #expect(page.contains(path) || file == "LICENSE")
                let asset = try await app.client.execute(uri: path, method: .get, headers: [:], body: nil)
                #expect(asset.status == .ok && asset.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                #expect(asset.headers[.cacheControl]?.contains("immutable") == true)
                #expect(asset.body.readableBytes > 10_000, "\(path): \(asset.body.readableBytes) bytes")
            }
        }
    }
}
