import ApiSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Maskinporten
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import Storage
import Submissions

/// `POST /api/v1/followupplan` and `GET /api/v1/followupplan/verify-integration`.
///
/// Order of checks, as the contract has it: token (401, by the middleware in front), content
/// type (415), body size (413), body decoding (400 BAD_REQUEST), the five validation rules
/// (400 VALIDATION_ERROR), then the one-statement insert.
public struct IntakeRoutes: Sendable {
    let store: SubmissionStore
    /// How long a submission waits for a PostgreSQL connection before it answers 503 (nothing
    /// sent, so nothing stored). postgres-nio queues a request while it cannot connect (up to a
    /// minute before its circuit breaker opens); a caller is better served by a prompt 503 it
    /// can retry. Once the statement is sent it runs to its end: a wall-clock bound on the whole
    /// insert answered "nothing was saved" on a busy machine while the insert still committed.
    let connectionWait: Duration
    let outcomes: PlanOutcomeWaiter
    /// The database's settings, for the look-up after a lost connection on a connection of its
    /// own (``Submissions/SubmissionStore/isStored(_:within:direct:)``); nil asks the pool.
    let database: DatabaseConfiguration?

    public init(store: SubmissionStore, outcomes: PlanOutcomeWaiter, connectionWait: Duration = .seconds(5), database: DatabaseConfiguration? = nil) {
        self.store = store
        self.outcomes = outcomes
        self.connectionWait = connectionWait
        self.database = database
    }

    /// Registers the routes on `group`, which must already authenticate (LPS routes).
    public func register(on group: RouterGroup<ApiRequestContext>) {
        group.post("/api/v1/followupplan") { request, context in
            try await submit(request, context: context)
        }
        group.get("/api/v1/followupplan/verify-integration") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=UTF-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "Integration is up and running")))
        }
    }

    func submit(_ request: Request, context: ApiRequestContext) async throws -> Response {
        let token = try context.requireToken()
        guard Self.isJSON(request.headers[.contentType]) else { throw ApiError.unsupportedMediaType(request.headers[.contentType]) }
        let idempotencyKey = try IdempotencyKeyHeader.parse(request.headers[IdempotencyKeyHeader.name])
        let preferences = PreferHeader.parse(request.headers[values: HTTPField.Name(PreferHeader.name)!])
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Intake.maximumBodySize {
            throw ApiError.bodyTooLarge
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Intake.maximumBodySize)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ApiError.bodyTooLarge
        }

        let plan = try FollowUpPlanDTO.decode(from: Data(buffer: body))
        if let violation = FollowUpPlanValidation.firstViolation(of: plan) { throw violation }

        let submission = PlanSubmission(
            plan: plan, employerOrgNumber: token.employerOrgNumber, lpsOrgNumber: token.lpsOrgNumber, frontDoor: .http)
        let claim = idempotencyKey.map { SubmissionStore.IdempotencyClaim(key: $0, plan: plan) }
        let outcome: SubmissionStore.Outcome
        do {
            let traceHeaders = TraceHeaders.continuing(request)
            outcome = try await store.store(
                submission, idempotency: claim, callID: context.callID, traceHeaders: traceHeaders, connectionWait: connectionWait)
        } catch let error as PSQLError where error.serverInfo == nil {
            // No answer from the server: connection refused, or lost. Lost after the statement
            // committed (before its answer arrived), the plan is stored: the uuid is ours, so
            // look before saying that nothing was saved.
            context.logger.error("cannot reach PostgreSQL", metadata: ["error": "\(LoggedError.text(error))"])
            switch await store.isStored(submission.uuid, within: connectionWait, direct: database) {
            case true?:
                context.logger.notice(
                    "the connection was lost after the plan was stored; answering as stored",
                    metadata: ["plan_uuid": "\(submission.uuid.lowercasedString)"])
                outcome = .stored(submission.uuid)
            case false?:
                throw ApiError.storageUnavailable
            case nil:
                throw ApiError.storageOutcomeUnknown
            }
        } catch let error as ConnectionWaitExceeded {
            // The statement was never sent.
            context.logger.error("no PostgreSQL connection in time", metadata: ["error": "\(error)"])
            throw ApiError.storageUnavailable
        }

        let uuid: UUID
        let replayed: Bool
        switch outcome {
        case .stored(let stored):
            context.logger.info(
                "plan received",
                metadata: [
                    "plan_uuid": "\(stored.lowercasedString)", "employer_org": "\(token.employerOrgNumber)",
                    "lps_org": "\(token.lpsOrgNumber)",
                ])
            (uuid, replayed) = (stored, false)
        case .alreadyStored(let stored):
            context.logger.info("plan already received under this Idempotency-Key", metadata: ["plan_uuid": "\(stored.lowercasedString)"])
            (uuid, replayed) = (stored, true)
        case .keyUsedForAnotherPlan(let uuid):
            context.logger.warning("Idempotency-Key reused for another plan", metadata: ["plan_uuid": "\(uuid.lowercasedString)"])
            throw ApiError.idempotencyKeyReused
        }

        if preferences.respondAsync { return SubmissionAnswer.accepted(uuid, replayed: replayed, asyncApplied: true) }
        let limit = min(outcomes.bound, preferences.wait ?? outcomes.bound)
        let final = await outcomes.finalStatus(of: uuid, within: limit)
        return SubmissionAnswer.answer(uuid, replayed: replayed, final: final)
    }

    /// `application/json` or a `+json` type, with any parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() } ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
