import Domain

/// The case workers' routes' error answers: the original's where it answers well
/// (`VeilederApi.kt`), ours where it did not (each says so).
extension ApiError {
    /// The original's answer to a list request without `nav-personident`.
    static let personIdentMissing = ApiError(
        status: 400, type: .illegalArgument, message: "Failed to access lps plan for person: No nav-personident supplied in request header")

    /// The original answers Kotlin's bare `Failed requirement.`; we keep its start and say which.
    static let personIdentMalformed = ApiError(
        status: 400, type: .illegalArgument, message: "Failed requirement: nav-personident must be an identity number of 11 digits")

    /// As the original's list answer. (Its PDF route answered a bare 403 without a body; ours
    /// answers this on both routes.)
    static let caseWorkerForbidden = ApiError(status: 403, type: .forbiddenAccessVeileder, message: "Forbidden")

    /// The original answered 400 ILLEGAL_ARGUMENT "No valid uuid supplied in request" for a
    /// well-formed uuid it did not have: a defect (the request was valid; the plan is missing).
    static let caseWorkerPlanNotFound = ApiError(
        status: 404, type: .followUpPlanNotFound, message: "No follow-up plan sent to NAV with a PDF has this uuid")

    /// The original answered a 500 (its client parsed any answer as a decision).
    static let accessCheckUnavailable = ApiError(
        status: 503, type: .internalServerError,
        message: "Access to the person cannot be checked right now (istilgangskontroll is unavailable); nothing was shown, try again later")

    static let caseWorkerPlansUnavailable = ApiError(
        status: 503, type: .internalServerError, message: "The follow-up plans cannot be read right now; try again later")

    static let auditLogUnavailable = ApiError(
        status: 503, type: .internalServerError,
        message: "The access cannot be recorded in the audit log right now, so nothing was shown; try again later")
}
