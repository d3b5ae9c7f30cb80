import ApiSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What a submission answers, once the plan is stored (domain-reference.md, "How to read
/// this"; design.md, HTTP API):
///
/// - COMPLETED: 200 `FollowUpPlanResponse`, `isSentTo…Status` true exactly when that channel
///   is SENT (the GP may be false beside a NAV delivery: the reason is in the status resource);
/// - REJECTED: the lookup's ApiError (403 NO_ACTIVE_EMPLOYMENT / NO_ACTIVE_SENT_SYKMELDING,
///   404 EMPLOYEE_NOT_FOUND);
/// - FAILED because the GP, the only channel asked for, is unknown: 404 GENERAL_PRACTITIONER_NOT_FOUND;
/// - anything else (not final within the bound, `Prefer: respond-async`, or FAILED for a
///   transient reason that an operator's re-drive may still complete): 202 Accepted with
///   `Location:` of the status resource. Never a 5xx for a plan that is safely stored: a
///   caller that retried a 5xx would submit the plan twice.
///
/// Every answer names the status resource in `Location` and says `Idempotent-Replayed: true`
/// when an earlier submission under the same key is answered.
enum SubmissionAnswer {
    static func answer(_ uuid: UUID, replayed: Bool, final: PlanStatusRecord?) -> Response {
        guard let final else { return accepted(uuid, replayed: replayed, asyncApplied: false) }
        switch final.state {
        case .completed:
            return response(.ok, body: final.response.jsonBody, uuid: uuid, replayed: replayed)
        case .rejected:
            return error(final.error ?? .internalServerError(callID: "-"), uuid: uuid, replayed: replayed)
        case .failed where final.error?.type == .generalPractitionerNotFound:
            return error(final.error!, uuid: uuid, replayed: replayed)
        default:
            return accepted(uuid, replayed: replayed, asyncApplied: false)
        }
    }

    /// 202: the contract's body (both booleans false: nothing is confirmed sent yet) and where
    /// to follow the plan.
    static func accepted(_ uuid: UUID, replayed: Bool, asyncApplied: Bool) -> Response {
        let body = FollowUpPlanResponse(uuid: uuid.lowercasedString, isSentToGeneralPractitionerStatus: false, isSentToNavStatus: false)
        var answer = response(.accepted, body: body.jsonBody, uuid: uuid, replayed: replayed)
        if asyncApplied { answer.headers[HTTPField.Name(PreferHeader.appliedName)!] = "respond-async" }
        return answer
    }

    static func error(_ error: ApiError, uuid: UUID, replayed: Bool) -> Response {
        var answer = ApiErrorMiddleware.response(error)
        decorate(&answer.headers, uuid: uuid, replayed: replayed)
        return answer
    }

    static func response(_ status: HTTPResponse.Status, body: Data, uuid: UUID, replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        decorate(&headers, uuid: uuid, replayed: replayed)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func decorate(_ headers: inout HTTPFields, uuid: UUID, replayed: Bool) {
        headers[.location] = PlanStatusRecord.resourcePath(of: uuid)
        if replayed { headers[IdempotencyKeyHeader.replayedName] = "true" }
    }
}
