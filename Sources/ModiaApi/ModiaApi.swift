/// The case workers' routes (NAV staff in Modia, `syfomodiaperson`): a person's follow-up plans
/// that went to NAV, and their PDFs, as the service we replace serves them
/// (`veileder/VeilederApi.kt`; domain-reference.md 9.1, 14.1, 14.5). Azure AD tokens only
/// (``ApiSupport/AzureADAuthMiddleware``), a positive answer from istilgangskontroll for the
/// person before anything is shown, and an ``AuditLog/AuditRecord`` of every request that
/// named a person or a plan.
public enum ModiaApi {
    /// The routes' paths, as `syfomodiaperson` calls them through its proxy.
    public static let plansPath = "/api/internad/v1/oppfolgingsplan/lps"
    public static let pdfPath = "/api/internad/v1/oppfolgingsplan/lps/{uuid}"
}
