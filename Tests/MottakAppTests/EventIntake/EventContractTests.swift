import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import MottakApp

/// The event contract's documents say what the decoder does, and are served next to the
/// OpenAPI spec.
@Suite(.timeLimit(.minutes(5))) struct EventContractTests {
    @Test func theSubmissionSchemaRequiresExactlyWhatTheDecoderRequires() throws {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(EventContract.submittedSchema.utf8)) as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: Any])
        let plan = try #require(properties["plan"] as? [String: Any])
        let required = Set(try #require(plan["required"] as? [String]))
        let planProperties = try #require(plan["properties"] as? [String: Any])
        #expect(required.isSubset(of: Set(planProperties.keys)))
        #expect(Set(schema["required"] as? [String] ?? []) == Set(properties.keys))

        let uuid = UUID()
        for field in planProperties.keys.sorted() {
            var fields = PlanJSON.valid
            fields[field] = nil
            let envelope: [String: Any] = [
                "version": 1, "uuid": uuid.uuidString, "employerOrgNumber": "123456789", "lpsOrgNumber": "123456789",
                "sourceSystem": "test", "plan": fields,
            ]
            let reading = try PlanSubmittedEvent.read(Array(try JSONSerialization.data(withJSONObject: envelope)))
            if required.contains(field) {
                #expect(reading == .rejected(uuid, .badRequest("Failed to convert request body: \(field) is missing")), "\(field)")
            } else if case .rejected(_, let error) = reading {
                // Optional for the decoder; only a validation rule may still ask for it.
                #expect(error.type == .validationError, "\(field): \(error)")
            }
        }
    }

    @Test func theContractIsServedBesideTheOpenAPISpec() async throws {
        try await IntakeTestApp.run { app in
            for (path, type) in [
                (EventContract.asyncAPIPath, "application/yaml"), (EventContract.submittedSchemaPath, "application/schema+json"),
                (EventContract.statusSchemaPath, "application/schema+json"),
            ] {
                let response = try await app.client.execute(uri: path, method: .get, headers: [:], body: nil)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix(type) == true)
                if type.hasSuffix("json") {
                    #expect(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) is [String: Any], "\(path) is JSON")
                }
            }
            let asyncAPI = String(buffer: try await app.client.execute(uri: EventContract.asyncAPIPath, method: .get, headers: [:], body: nil).body)
            for topic in [EventTopics.local.submitted, EventTopics.local.publicStatus] { #expect(asyncAPI.contains("\(topic):")) }
            for path in [EventContract.submittedSchemaPath, EventContract.statusSchemaPath] { #expect(asyncAPI.contains(path)) }
        }
    }

    @Test func theContractNamesTheTopicsAsTheDeploymentDoes() {
        var nais = EventTopics.local
        nais.submitted = "team-esyfo.followupplan-submitted-v1"
        nais.publicStatus = "team-esyfo.followupplan-status-v1"
        let document = EventContract.asyncAPI(nais)
        #expect(document.contains("\n  team-esyfo.followupplan-submitted-v1:\n"))
        #expect(document.contains("\n  team-esyfo.followupplan-status-v1:\n"))
        #expect(!document.contains("followupplan.submitted.v1:"), "a publisher must not be sent to the local name")
    }
}
