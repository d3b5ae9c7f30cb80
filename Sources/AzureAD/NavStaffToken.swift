import TokenVerification

/// What a verified Azure AD token says about the NAV employee behind a request.
public struct NavStaffToken: Sendable, Equatable, ExpiringToken {
    /// The NAV ident (`NAVident` claim, e.g. `Z990000`): who asks, as the audit log names them.
    public var navIdent: String
    /// The token as it came: the assertion of the on-behalf-of exchange for istilgangskontroll.
    public var encoded: String
    /// Seconds since 1970 when the token stops being valid.
    public var expiresAt: Double

    public init(navIdent: String, encoded: String, expiresAt: Double) {
        self.navIdent = navIdent
        self.encoded = encoded
        self.expiresAt = expiresAt
    }
}
