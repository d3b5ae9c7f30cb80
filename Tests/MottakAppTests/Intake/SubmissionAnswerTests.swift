import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PlanStatusRecords
import PostgresNIO
import StatusUpdater
import Storage
import TestSupport
import Testing

/// The intake's answer modes over the whole application, with the status updater's part
/// played by the test: it applies status events to the real status table (which NOTIFYs), as
/// the pipeline would.
@Suite(.timeLimit(.minutes(5))) struct SubmissionAnswerTests {
    static let prefer = HTTPField.Name("Prefer")!

    @Test func respondAsyncAnswers202AtOnceWithWhereToFollowThePlan() async throws {
        try await IntakeTestApp.run { app in
            let response = try await app.submit(headers: [Self.prefer: "respond-async, wait=100"], waiting: true)
            #expect(response.status == .accepted)
            #expect(response.headers[HTTPField.Name("Preference-Applied")!] == "respond-async")
            let answer = try SubmitAnswer(response)
            #expect(response.headers[.location] == "/api/v1/followupplan/\(answer.uuid)/sendingstatus")
            #expect(!answer.isSentToNavStatus && !answer.isSentToGeneralPractitionerStatus)

            let status = try await app.status(response.headers[.location]!)
            #expect(status.status == .ok)
            let body = try StatusBody(status)
            #expect(body.uuid == answer.uuid && body.state == "RECEIVED")
            #expect(body.channels.nav.state == "PENDING" && body.channels.nav.requested)
            #expect(body.channels.generalPractitioner.state == "NOT_REQUESTED" && !body.channels.generalPractitioner.requested)
        }
    }

    @Test func theAnswerWaitsForTheOutcomeAndSaysWhatReachedWhom() async throws {
        try await IntakeTestApp.run { app in
            // NAV and the GP asked for; NAV gets it, the GP is unknown: 200, GP false.
            let both = try await app.submitWhile(PlanJSON.body(["sendPlanToGeneralPractitioner": true])) { uuid, store in
                try await store.apply(.init(uuid: uuid, kind: .verified))
                try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "600000001"))
                try await store.apply(
                    .init(uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(ApiError.generalPractitionerNotFound)))
            }
            #expect(both.status == .ok)
            #expect(both.headers[HTTPField.Name("Preference-Applied")!] == nil)
            let answer = try SubmitAnswer(both)
            #expect(answer.isSentToNavStatus && !answer.isSentToGeneralPractitionerStatus)
            let detail = try StatusBody(try await app.status(both.headers[.location]!))
            #expect(detail.state == "COMPLETED" && detail.channels.nav.journalpostId == "600000001")
            #expect(detail.channels.generalPractitioner.error?.type == "GENERAL_PRACTITIONER_NOT_FOUND")
            #expect(detail.isSentToNavStatus && !detail.isSentToGeneralPractitionerStatus)
        }
    }

    @Test func aRejectionIsTheLookupsApiErrorAndAnUnknownGpAloneIs404() async throws {
        try await IntakeTestApp.run { app in
            for (error, status) in [(ApiError.noActiveEmployment, 403), (.noActiveSentSykmelding, 403), (.employeeNotFound, 404)] {
                let response = try await app.submitWhile { uuid, store in
                    try await store.apply(.init(uuid: uuid, kind: .rejected, error: .init(error)))
                }
                #expect(response.status.code == status)
                #expect(try ApiErrorBody(response) == ApiErrorBody(error))
                #expect(response.headers[.location]?.hasSuffix("/sendingstatus") == true)
            }
            let gpOnly = PlanJSON.body(["sendPlanToNav": false, "needsHelpFromNav": false, "sendPlanToGeneralPractitioner": true])
            let response = try await app.submitWhile(gpOnly) { uuid, store in
                try await store.apply(.init(uuid: uuid, kind: .verified))
                try await store.apply(
                    .init(uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(ApiError.generalPractitionerNotFound)))
            }
            #expect(response.status == .notFound)
            #expect(try ApiErrorBody(response) == ApiErrorBody(.generalPractitionerNotFound))
        }
    }

    @Test func noOutcomeWithinTheBoundOrATransientFailureAnswers202() async throws {
        try await IntakeTestApp.run(submissionWait: .milliseconds(500)) { app in
            // A first request pays once for what the timed one must not (the token's keys, the
            // pool's connections, the LISTEN): on a machine busy with other suites that alone
            // took seconds.
            #expect(try await app.submit().status == .accepted)
            let started = ContinuousClock.now
            let slow = try await app.submit(waiting: true)
            #expect(slow.status == .accepted)
            // The bound is 0.5 s; the outcome never comes. 20 times the bound still tells the two
            // apart on a machine whose two cores run a dozen whole pipelines beside this test.
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(slow.headers[HTTPField.Name("Preference-Applied")!] == nil, "202 by the bound, not by preference")
            #expect(slow.headers[.location] != nil)

            // Dead-lettered after retries: an operator's re-drive may still deliver it, so the
            // caller must not submit it again; the status resource says FAILED and why.
            let failed = try await app.submitWhile { uuid, store in
                try await store.apply(.init(uuid: uuid, kind: .failed, error: .init(ApiError.internalServerError(callID: "x"))))
            }
            #expect(failed.status == .accepted)
            #expect(try StatusBody(try await app.status(failed.headers[.location]!)).state == "FAILED")
        }
    }

    @Test func theStatusIsReadableByItsEmployerOnlyAndAMalformedUUIDIsNamed() async throws {
        try await IntakeTestApp.run { app in
            let location = try #require(try await app.submit().headers[.location])
            #expect(try await app.status(location).status == .ok)

            let stranger = try await app.status(location, token: try app.token(consumer: "111111111"))
            let unknown = try await app.status("/api/v1/followupplan/\(UUID().lowercasedString)/sendingstatus")
            for response in [stranger, unknown] {
                #expect(response.status == .notFound)
                #expect(try ApiErrorBody(response) == ApiErrorBody(.followUpPlanNotFound))
            }
            #expect(String(buffer: stranger.body) == String(buffer: unknown.body), "a stranger learns nothing, not even that the plan exists")

            let malformed = try await app.status("/api/v1/followupplan/abc/sendingstatus")
            #expect(malformed.status == .badRequest)
            #expect(try ApiErrorBody(malformed) == ApiErrorBody(ApiError(status: 400, type: .illegalArgument, message: "Invalid UUID string: abc")))
            let unauthenticated = try await app.client.execute(uri: location, method: .get, headers: [:], body: nil)
            #expect(unauthenticated.status == .unauthorized)
        }
    }

    @Test func requestsAreCountedAndTimedPerRouteTemplateAndStatus() async throws {
        try await IntakeTestApp.run { app in
            let location = try #require(try await app.submit().headers[.location])
            _ = try await app.status(location)
            _ = try await app.status("/api/v1/followupplan/abc/sendingstatus")
            let metrics = String(buffer: try await app.client.execute(uri: "/internal/metrics", method: .get, headers: [:], body: nil).body)
            func series(_ name: String, _ labels: [String]) -> [Substring] {
                metrics.split(separator: "\n").filter { line in line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) } }
            }
            #expect(
                series("mottak_http_requests_total", [#"route="/api/v1/followupplan""#, #"method="POST""#, #"status="202""#]).first?.hasSuffix(" 1")
                    == true)
            let status = #"route="/api/v1/followupplan/{uuid}/sendingstatus""#
            #expect(series("mottak_http_requests_total", [status, #"status="200""#]).first?.hasSuffix(" 1") == true)
            #expect(
                series("mottak_http_requests_total", [status, #"status="400""#]).first?.hasSuffix(" 1") == true, "one series per route, not per plan")
            #expect(!series("mottak_http_request_duration_seconds_count", [status]).isEmpty)
        }
    }

    /// 200 requests wait at once with a pool of 10 connections: waiting holds none, so every
    /// plan is stored while all 200 wait (the stand-in pipeline answers only then), and every
    /// request gets its outcome. Were a waiting request to hold its connection, the eleventh
    /// insert would never get one.
    ///
    /// Nothing here depends on the machine being fast: the connection wait and the outcome wait
    /// are the longest the intake allows, so only a request that can never proceed fails.
    @Test func twoHundredWaitingSubmissionsGetTheirOutcomesWithoutExhaustingThePool() async throws {
        try await IntakeTestApp.run(submissionWait: .seconds(60), storeConnectionWait: .seconds(60)) { app in
            let pipeline = Task {
                // Every plan stored while its request waits ...
                try await eventually("all 200 plans stored while their requests wait", timeout: .seconds(60)) {
                    try await app.count("followup_plan") == 200
                }
                // ... then, as the pipeline would, many plans at once, each plan's events in order.
                let store = StatusTransitions(postgres: app.postgres, topics: .local, logger: TestServices.logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for uuid in try await app.planUUIDs() {
                        group.addTask {
                            try await store.apply(.init(uuid: uuid, kind: .verified))
                            try await store.apply(.init(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: "1"))
                        }
                    }
                    try await group.waitForAll()
                }
            }
            defer { pipeline.cancel() }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<200 { group.addTask { try await app.submit(waiting: true).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            try await pipeline.value
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == .ok }, "\(Dictionary(grouping: statuses, by: \.code).mapValues(\.count))")
            #expect(try await app.count("followup_plan") == 200, "one plan per request, none lost or doubled")
        }
    }
}

extension IntakeTestApp {
    /// Submits `body` waiting for the outcome, and meanwhile, once the plan is stored, plays
    /// the pipeline's part with `outcome`.
    func submitWhile(
        _ body: Data = PlanJSON.body(), outcome: @escaping @Sendable (UUID, StatusTransitions) async throws -> Void
    ) async throws -> TestResponse {
        let before = try await planUUIDs()
        let store = StatusTransitions(postgres: postgres, topics: .local, logger: TestServices.logger)
        let pipeline = Task {
            while true {
                if let uuid = try await planUUIDs().subtracting(before).first {
                    try await Task.sleep(for: .milliseconds(50))  // the request is waiting by now
                    try await outcome(uuid, store)
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        defer { pipeline.cancel() }
        let response = try await submit(body, waiting: true)
        try await pipeline.value
        return response
    }

    func planUUIDs() async throws -> Set<UUID> {
        var uuids: Set<UUID> = []
        for try await uuid in try await postgres.query("SELECT uuid FROM followup_plan").decode(UUID.self) { uuids.insert(uuid) }
        return uuids
    }

    func status(_ path: String, token: String? = nil) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(try token ?? self.token())"], body: nil)
    }
}

/// The status resource's body.
struct StatusBody: Decodable {
    struct Channel: Decodable {
        var requested: Bool
        var state: String
        var updatedAt: String?
        var attempts: Int
        var journalpostId: String?
        var error: ApiErrorBody?
    }
    struct Channels: Decodable {
        var nav: Channel
        var generalPractitioner: Channel
    }
    var uuid: String
    var isSentToGeneralPractitionerStatus: Bool
    var isSentToNavStatus: Bool
    var state: String
    var error: ApiErrorBody?
    var receivedAt: String
    var updatedAt: String
    var channels: Channels

    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(StatusBody.self, from: Data(response.body.readableBytesView))
    }
}
