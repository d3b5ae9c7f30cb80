/// Another system refused us (401/403, or Azure AD would not issue a token): our access is
/// wrong — a missing pre-authorisation, an inbound rule, an expired secret — not the plan.
///
/// Whoever retries treats it apart from an outage: slowly, and loudly (a metric and an alert),
/// so that an operator can fix the access and re-drive. It never becomes a verdict on the plan.
public protocol AccessDenied: Error {
    /// The system that refused (`pdl`, `azuread`, `isdialogmelding`, …).
    var dependency: String { get }
}
