/// The `type` of an ``ApiError``: the public contract's catalogue (domain-reference.md 1.6), in
/// its declaration order. Callers branch on these strings; never rename one.
public enum ErrorType: String, Sendable, CaseIterable, Codable {
    case authenticationError = "AUTHENTICATION_ERROR"
    case validationError = "VALIDATION_ERROR"
    case notFound = "NOT_FOUND"
    case internalServerError = "INTERNAL_SERVER_ERROR"
    case illegalArgument = "ILLEGAL_ARGUMENT"
    case badRequest = "BAD_REQUEST"
    case followUpPlanNotFound = "FOLLOWUP_PLAN_NOT_FOUND"
    case forbiddenAccessVeileder = "FORBIDDEN_ACCESS_VEILEDER"
    case generalPractitionerNotFound = "GENERAL_PRACTITIONER_NOT_FOUND"
    case employeeNotFound = "EMPLOYEE_NOT_FOUND"
    case noActiveSentSykmelding = "NO_ACTIVE_SENT_SYKMELDING"
    case noActiveEmployment = "NO_ACTIVE_EMPLOYMENT"
}
