import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Storage
import TestSupport
import Testing

/// `Idempotency-Key`: one plan per key and organisation, whatever the client retries.
@Suite(.timeLimit(.minutes(5))) struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    @Test func theSameKeyTwiceGivesTheFirstAnswerAndOnePlan() async throws {
        try await IntakeTestApp.run { app in
            let first = try await app.submit(headers: [Self.key: "retry-1"])
            // Same plan, other property order and spacing: still the same submission.
            let reordered = try JSONSerialization.data(withJSONObject: PlanJSON.valid, options: [.prettyPrinted])
            let second = try await app.submit(reordered, headers: [Self.key: "retry-1"])
            #expect(first.status == .accepted && second.status == .accepted)
            #expect(try SubmitAnswer(second).uuid == SubmitAnswer(first).uuid)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try await app.count("followup_plan") == 1)
            #expect(try await app.count("outbox") == 1)
        }
    }

    @Test func theSameKeyForAnotherPlanIs422AndChangesNothing() async throws {
        try await IntakeTestApp.run { app in
            #expect(try await app.submit(headers: [Self.key: "k"]).status == .accepted)
            let other = try await app.submit(PlanJSON.body(["followUp": "Monthly talks"]), headers: [Self.key: "k"])
            #expect(other.status == .unprocessableContent)
            let error = try ApiErrorBody(other)
            #expect(error.status == .init(value: 422, description: "Unprocessable Entity"))
            #expect(error.message.contains("Idempotency-Key"))
            #expect(try await app.count("followup_plan") == 1)
        }
    }

    @Test func keysBelongToTheEmployerOrganisation() async throws {
        try await IntakeTestApp.run { app in
            let mine = try await app.submit(headers: [Self.key: "shared"])
            let theirs = try await app.submit(token: try app.token(consumer: "111111111"), headers: [Self.key: "shared"])
            #expect(try SubmitAnswer(mine).uuid != SubmitAnswer(theirs).uuid)
            #expect(try await app.count("followup_plan") == 2)
        }
    }

    /// Two payroll systems serving the same employer may pick the same key: each gets its own
    /// plan, and neither sees the other's; each system's retry still finds its own.
    @Test func keysBelongToTheEmployerAndTheLps() async throws {
        try await IntakeTestApp.run { app in
            let first = try app.token(supplier: "222222222")
            let second = try app.token(supplier: "333333333")
            let one = try SubmitAnswer(try await app.submit(token: first, headers: [Self.key: "shared"])).uuid
            let other = try SubmitAnswer(try await app.submit(token: second, headers: [Self.key: "shared"])).uuid
            #expect(one != other)
            #expect(try SubmitAnswer(try await app.submit(token: first, headers: [Self.key: "shared"])).uuid == one)
            #expect(try SubmitAnswer(try await app.submit(token: second, headers: [Self.key: "shared"])).uuid == other)
            #expect(try await app.count("followup_plan") == 2)
        }
    }

    /// The connection lost after PostgreSQL committed the plan and before its answer arrived:
    /// the intake looks the plan up and answers it as stored (202 with its uuid), where it used
    /// to answer 503 "nothing was saved" and an LPS without a key would have sent it twice.
    @Test func aConnectionLostAfterTheCommitAnswersThePlanAsStored() async throws {
        let database = ProxiedDatabase()
        defer { database.close() }
        try await IntakeTestApp.run(database: database.route) { app in
            let cutting = try #require(database.proxy)
            cutting.cutAfterCommit(ofStatementContaining: "INSERT INTO followup_plan")
            let response = try await app.submit()
            #expect(cutting.cutCount == 1, "the connection was cut after the commit")
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            let uuid = try SubmitAnswer(response).uuid
            #expect(try await app.count("followup_plan") == 1)
            #expect(try await app.count("followup_plan WHERE uuid = '\(uuid)'") == 1, "the answer names the stored plan")
        }
    }

    @Test func concurrentDuplicatesStoreOnePlan() async throws {
        // 20 requests at once on a pool of 4: under the whole suite's load the default 5 s wait
        // for a connection can pass, and a 503 is not what this test is about.
        try await IntakeTestApp.run(storeConnectionWait: .seconds(30)) { app in
            let uuids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await app.submit(headers: [Self.key: "burst"])
                        #expect(response.status == .accepted)
                        return try SubmitAnswer(response).uuid
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(uuids.count == 1)
            #expect(try await app.count("followup_plan") == 1)
            #expect(try await app.count("plan_status") == 1)
            #expect(try await app.count("outbox") == 1)
        }
    }

    @Test func aBadKeyIs400() async throws {
        try await IntakeTestApp.run { app in
            let response = try await app.submit(headers: [Self.key: String(repeating: "k", count: 256)])
            #expect(response.status == .badRequest)
            #expect(try ApiErrorBody(response).type == "ILLEGAL_ARGUMENT")
        }
    }
}
