import Domain
import Foundation
import Testing

/// Reading `followupplan.submitted.v1` messages: the envelope, then the plan exactly as the
/// HTTP intake reads a body.
@Suite(.timeLimit(.minutes(5))) struct PlanSubmittedEventTests {
    static let uuid = UUID(uuidString: "5b0e8e5e-7a4c-4b59-9d33-0d1c1f7b2a10")!

    static func value(_ changes: [String: Any?] = [:], plan: Data = FollowUpPlanFixtures.body()) -> [UInt8] {
        var envelope: [String: Any] = [
            "version": 1, "uuid": uuid.lowercasedString, "employerOrgNumber": "123456789", "lpsOrgNumber": "987654321",
            "sourceSystem": "altinn-kanal", "plan": try! JSONSerialization.jsonObject(with: plan),
        ]
        for (key, value) in changes { envelope[key] = value ?? NSNull() }
        return Array(try! JSONSerialization.data(withJSONObject: envelope))
    }

    @Test func aValidEventIsTheSubmissionOfItsEmployerUnderThePublishersUUID() throws {
        guard case .valid(let event) = try PlanSubmittedEvent.read(Self.value()) else {
            Issue.record("not valid")
            return
        }
        #expect(event.uuid == Self.uuid && event.employerOrgNumber == "123456789" && event.lpsOrgNumber == "987654321")
        #expect(event.sourceSystem == "altinn-kanal")
        #expect(event.plan == (try FollowUpPlanDTO.decode(from: FollowUpPlanFixtures.body())))
        #expect(event.submission.uuid == Self.uuid && event.submission.frontDoor == .event)
        #expect(event.idempotencyKey == "event:\(Self.uuid.lowercasedString)")
    }

    @Test func aPlanThatTheHttpIntakeWouldRefuseIsRefusedWithTheSameApiError() throws {
        let cases: [Data] = [
            FollowUpPlanFixtures.body(removing: ["typicalWorkday"]),
            FollowUpPlanFixtures.body(["sendPlanToNav": "yes"]),
            FollowUpPlanFixtures.body(["employeeIdentificationNumber": "123"]),
            FollowUpPlanFixtures.body(["employeeHasContributedToPlan": false, "employeeHasNotContributedToPlanDescription": " "]),
        ]
        for plan in cases {
            var http: ApiError?
            do {
                http = FollowUpPlanValidation.firstViolation(of: try FollowUpPlanDTO.decode(from: plan))
            } catch {
                http = error
            }
            let refusal = try #require(http, "the HTTP intake refuses this plan")
            #expect(try PlanSubmittedEvent.read(Self.value(plan: plan)) == .rejected(Self.uuid, refusal))
        }
    }

    @Test func anEnvelopeFieldThatCannotBeReadIsRefusedNamingIt() throws {
        for (field, value) in [("employerOrgNumber", "12345678" as Any?), ("lpsOrgNumber", nil), ("sourceSystem", ""), ("plan", "text")] {
            guard case .rejected(let uuid, let error) = try PlanSubmittedEvent.read(Self.value([field: value])) else {
                Issue.record("\(field) accepted")
                continue
            }
            #expect(uuid == Self.uuid && error.type == .badRequest && error.status.value == 400)
            #expect(error.message.hasPrefix("Failed to convert event: \(field)"), "\(error.message)")
        }
    }

    @Test func aMessageWithoutAUUIDToAnswerOrOfAnotherVersionIsUnreadable() {
        for value in [Array("not json".utf8), Self.value(["uuid": "abc"]), Self.value(["uuid": nil]), Self.value(["version": 2]), Array("[1]".utf8)] {
            #expect(throws: PlanSubmittedEvent.Unreadable.self) { try PlanSubmittedEvent.read(value) }
        }
    }

    @Test func aRefusalBeforeStorageIsAStatusEventWithoutChannels() throws {
        let json = PublicStatusEvent.rejectedAtIntake(
            Self.uuid, .validation("Invalid employee identification number"), at: Date(timeIntervalSince1970: 0))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.jsonBody.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "REJECTED" && object["revision"] as? Int == 0 && object["channels"] is NSNull)
        #expect(object["updatedAt"] as? String == "1970-01-01T00:00:00.000Z")
        #expect((object["error"] as? [String: Any])?["message"] as? String == "Invalid employee identification number")
    }
}
