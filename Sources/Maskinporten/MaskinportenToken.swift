import TokenVerification

/// What a verified Maskinporten token says about its caller.
public struct MaskinportenToken: Sendable, Equatable, ExpiringToken {
    /// The organisation the plan is for: the `consumer` claim (`0192:<orgnr>`).
    public var employerOrgNumber: String
    /// The organisation whose system calls: the `supplier` claim when a system acts under an
    /// Altinn delegation, else the employer itself.
    public var lpsOrgNumber: String
    public var scopes: [String]
    /// Seconds since 1970 when the token stops being valid.
    public var expiresAt: Double

    public init(employerOrgNumber: String, lpsOrgNumber: String, scopes: [String], expiresAt: Double) {
        self.employerOrgNumber = employerOrgNumber
        self.lpsOrgNumber = lpsOrgNumber
        self.scopes = scopes
        self.expiresAt = expiresAt
    }
}
