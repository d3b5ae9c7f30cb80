import Foundation

/// The error body of every failed request, as the public contract serializes it:
///
///     {"status":{"value":400,"description":"Bad Request"},"type":"VALIDATION_ERROR","message":"…"}
///
/// `status` is an object because the Kotlin service serialized Ktor's `HttpStatusCode` bean
/// (domain-reference.md 1.6); payroll systems parse it that way, so we keep it.
public struct ApiError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public struct Status: Sendable, Equatable, Codable {
        public var value: Int
        public var description: String

        public init(value: Int, description: String) {
            self.value = value
            self.description = description
        }
    }

    public var status: Status
    public var type: ErrorType
    public var message: String

    public init(status: Int, type: ErrorType, message: String) {
        self.status = Status(value: status, description: Self.reasonPhrase(status))
        self.type = type
        self.message = message
    }

    public var description: String { "\(status.value) \(type.rawValue): \(message)" }

    /// Ktor's reason phrases, which the contract's `status.description` carries.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}

extension ApiError {
    /// 400: one of the contract's validation rules failed (``FollowUpPlanValidation``).
    public static func validation(_ message: String) -> ApiError { ApiError(status: 400, type: .validationError, message: message) }

    /// 400: the body could not be read as a follow-up plan (message names the field).
    public static func badRequest(_ message: String) -> ApiError { ApiError(status: 400, type: .badRequest, message: message) }

    /// 401: the token was missing or not acceptable (message says why).
    public static func authentication(_ message: String) -> ApiError { ApiError(status: 401, type: .authenticationError, message: message) }

    /// The lookup's rejections, with the contract's fixed messages.
    public static let employeeNotFound = ApiError(status: 404, type: .employeeNotFound, message: "Could not find requested person in our systems")
    public static let noActiveSentSykmelding = ApiError(status: 403, type: .noActiveSentSykmelding, message: "No active sykmelding sent to employer")
    public static let noActiveEmployment = ApiError(
        status: 403, type: .noActiveEmployment, message: "No active employment relationship found for given orgnumber")
    public static let generalPractitionerNotFound = ApiError(
        status: 404, type: .generalPractitionerNotFound, message: "General practitioner was not found")
    /// The GP channel failed for good: isdialogmelding refused the message (400). Shown in the
    /// status resource; the details are in the log.
    public static let generalPractitionerMessageRefused = ApiError(
        status: 500, type: .internalServerError,
        message: "The message service for general practitioners refused the plan; it was not sent to the general practitioner")
    public static let followUpPlanNotFound = ApiError(
        status: 404, type: .followUpPlanNotFound, message: "The follow-up plan with a given uuid was not found")

    /// 500 without internals: the details go to the log under the same call id.
    /// An error type recorded in the status table, with the HTTP status the contract gives it.
    public static func recorded(_ type: ErrorType, message: String) -> ApiError {
        let status =
            switch type {
            case .validationError, .badRequest, .illegalArgument: 400
            case .authenticationError: 401
            case .noActiveEmployment, .noActiveSentSykmelding, .forbiddenAccessVeileder: 403
            case .employeeNotFound, .generalPractitionerNotFound, .followUpPlanNotFound, .notFound: 404
            case .internalServerError: 500
            }
        return ApiError(status: status, type: type, message: message)
    }

    /// A plan uuid in a path that is not a uuid; the message is the one the existing service
    /// gives (the JDK's `UUID.fromString`).
    public static func invalidUUID(_ text: String) -> ApiError {
        ApiError(status: 400, type: .illegalArgument, message: "Invalid UUID string: \(echo(text))")
    }

    /// A caller's own text repeated in a message: printable ASCII only, at most 64 characters,
    /// so that an answer never carries more of a request than it takes to recognise it.
    static func echo(_ text: String) -> String {
        let printable = String(text.unicodeScalars.prefix(64).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        return text.unicodeScalars.count > 64 ? printable + "…" : printable
    }

    public static func internalServerError(callID: String) -> ApiError {
        ApiError(status: 500, type: .internalServerError, message: "Internal server error (call id \(callID))")
    }
}

extension ApiError {
    /// 413: the body is larger than the intake accepts.
    public static let bodyTooLarge = ApiError(
        status: 413, type: .badRequest, message: "The request body is larger than the limit of 1 MiB")

    /// 415: the body is not declared as JSON.
    public static func unsupportedMediaType(_ contentType: String?) -> ApiError {
        ApiError(
            status: 415, type: .badRequest,
            message: "Content-Type must be application/json, not \(contentType.map { "'\(echo($0))'" } ?? "missing")")
    }

    /// 503: tokens cannot be checked now (Maskinporten's keys unreachable and none cached).
    public static let tokenVerificationUnavailable = ApiError(
        status: 503, type: .internalServerError,
        message: "Tokens cannot be verified right now because Maskinporten is unreachable; try again later")

    /// 503: a case worker's token cannot be checked now (Azure AD's keys unreachable, none cached).
    public static let staffTokenVerificationUnavailable = ApiError(
        status: 503, type: .internalServerError,
        message: "Tokens cannot be verified right now because Azure AD is unreachable; try again later")

    /// 503: the database is unreachable; nothing was stored.
    public static let statusUnavailable = ApiError(
        status: 503, type: .internalServerError, message: "The status cannot be read right now; try again later")

    public static let storageUnavailable = ApiError(
        status: 503, type: .internalServerError,
        message: "The follow-up plan could not be stored right now; nothing was saved, try again later")
    /// 503: the caller's system has `limit` requests at work already (per replica); a retry
    /// in a moment, with the same Idempotency-Key, is safe.
    public static func tooManyConcurrentRequests(limit: Int) -> ApiError {
        ApiError(
            status: 503, type: .internalServerError,
            message:
                "Your system has \(limit) requests in progress with us already; nothing was saved, send this one again in a moment with the same Idempotency-Key"
        )
    }

    /// 503: the connection was lost as the plan's statement finished, and the plan cannot be
    /// looked up either: it may have been saved. Only the Idempotency-Key makes a retry safe.
    public static let storageOutcomeUnknown = ApiError(
        status: 503, type: .internalServerError,
        message:
            "The connection to our database was lost as the follow-up plan was being stored, so it may have been saved; send it again with the same Idempotency-Key (without one, a retry may store it twice)"
    )
}

extension ApiError {
    /// 400: the `Idempotency-Key` header is empty, too long or not printable ASCII.
    public static let invalidIdempotencyKey = ApiError(
        status: 400, type: .illegalArgument, message: "Idempotency-Key must be 1 to 255 printable ASCII characters")

    /// 422: the organisation already used this `Idempotency-Key` for a different plan.
    public static let idempotencyKeyReused = ApiError(
        status: 422, type: .illegalArgument,
        message: "This Idempotency-Key was already used for a different follow-up plan; use a new key for a new plan")
}

extension ApiError {
    /// The contract's error body: `{"status":{"value":…,"description":…},"type":…,"message":…}`.
    public var jsonBody: Data { Data(ContractJSONEncoder.document(self).utf8) }
}
