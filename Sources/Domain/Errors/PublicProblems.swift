/// The only texts a client or a publisher reads about a plan's outcome (HTTP answers, the
/// status resource, `followupplan.status.v1`): a fixed catalogue, keyed by error type and, for a
/// failure, by what failed. Internal detail (hosts, URLs, dependency names, library and Swift
/// error texts) goes to logs, metrics and the dead-letter headers only (OWASP API Security,
/// excessive data exposure); ``PublicProblems/sanitized(_:channel:)`` holds every stored
/// problem to that.
public enum PublicProblems {
    /// The plan could not be processed (its lookup or routing was dead-lettered). An operator's
    /// re-drive may still complete it: the caller must not submit it again.
    public static let planFailed = ApiError(
        status: 500, type: .internalServerError,
        message:
            "The follow-up plan could not be processed yet; NAV has been alerted and will process it once the cause is fixed. Do not submit it again")
    /// The NAV channel gave up (dead-lettered); re-drivable.
    public static let navDeliveryFailed = ApiError(
        status: 500, type: .internalServerError,
        message:
            "The follow-up plan could not be delivered to NAV yet; NAV has been alerted and will deliver it once the cause is fixed. Do not submit it again"
    )
    /// The GP channel gave up (dead-lettered); re-drivable.
    public static let generalPractitionerDeliveryFailed = ApiError(
        status: 500, type: .internalServerError,
        message:
            "The follow-up plan could not be sent to the general practitioner yet; NAV has been alerted and will send it once the cause is fixed. Do not submit it again"
    )

    /// A plan brought over from the previous service (`mottak import-legacy`) that the previous
    /// service did not deliver: the status says so, as its own answer did (`isSentTo…Status`
    /// false), and that nothing more will happen to it here.
    public static let previousServiceDidNotDeliver = ApiError(
        status: 500, type: .internalServerError,
        message:
            "The follow-up plan was received by NAV's previous service, which did not deliver it; it will not be delivered. Submit it again if it is still needed"
    )
    /// The NAV channel of such a plan.
    public static let previousServiceDidNotDeliverToNav = ApiError(
        status: 500, type: .internalServerError,
        message: "NAV's previous service did not record a delivery of this follow-up plan to NAV; it will not be delivered again")
    /// The GP channel of such a plan (the previous service's answer gave no reason).
    public static let previousServiceDidNotDeliverToGeneralPractitioner = ApiError(
        status: 500, type: .internalServerError,
        message:
            "NAV's previous service did not record a delivery of this follow-up plan to the general practitioner; it will not be sent again"
    )

    /// A validation error whose text is not one of the rules' (never written by this service).
    public static let validationFailed = ApiError.validation("The follow-up plan breaks a rule of the contract")

    /// Every text a plan's or a channel's error can have.
    public static let catalogue: [ApiError] =
        [
            planFailed, navDeliveryFailed, generalPractitionerDeliveryFailed, .generalPractitionerMessageRefused, .generalPractitionerNotFound,
            previousServiceDidNotDeliver, previousServiceDidNotDeliverToNav, previousServiceDidNotDeliverToGeneralPractitioner,
            .employeeNotFound, .noActiveEmployment, .noActiveSentSykmelding, validationFailed,
        ] + FollowUpPlanValidation.messages.map(ApiError.validation)

    /// `problem` when it is in the catalogue; otherwise the catalogue's entry for its type (and
    /// channel), so that no text from an error description can reach a client.
    public static func sanitized(_ problem: StatusStepEvent.Problem, channel: DeliveryChannel?) -> StatusStepEvent.Problem {
        if catalogue.contains(where: { $0.type == problem.type && $0.message == problem.message }) { return problem }
        let fallback: ApiError =
            switch problem.type {
            case .noActiveEmployment: .noActiveEmployment
            case .noActiveSentSykmelding: .noActiveSentSykmelding
            case .employeeNotFound: .employeeNotFound
            case .generalPractitionerNotFound: .generalPractitionerNotFound
            case .validationError: validationFailed
            default:
                switch channel {
                case .nav: navDeliveryFailed
                case .generalPractitioner: generalPractitionerDeliveryFailed
                case nil: planFailed
                }
            }
        return StatusStepEvent.Problem(fallback)
    }
}
