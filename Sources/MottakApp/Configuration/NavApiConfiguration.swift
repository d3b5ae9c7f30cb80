import AsyncHTTPClient
import AzureAD
import Logging
import NavClients
import PlanPdf
import Storage
import TokenVerification

/// Where NAV's APIs are and how to get tokens for them, with NAIS's variable names
/// (domain-reference.md 7.1). Each value that is unset is filled by `mottak-dev` with its local
/// stand-in, so the service can run against any mix of real and local APIs.
public struct NavApiConfiguration: Sendable {
    /// Where the clients record their calls (set by the application, not from the environment).
    public var metrics: ExternalCallMetrics = .none
    /// The process's circuit breakers, one per API (``NavClients/DependencyCircuits``).
    public var circuits: DependencyCircuits = .none
    public var azureTokenEndpoint: EndpointURL?
    public var azureClientID: String?
    public var azureClientSecret: String?
    public var aareg: EndpointURL?
    public var aaregScope: String?
    public var pdl: EndpointURL?
    public var pdlScope: String?
    public var krr: EndpointURL?
    public var krrScope: String?
    public var pdfgen: EndpointURL?
    public var ereg: EndpointURL?
    public var eregScope: String?
    public var dokarkiv: EndpointURL?
    public var dokarkivScope: String?
    public var isdialogmelding: EndpointURL?
    /// `ISDIALOGMELDING_CLIENT_ID`: isdialogmelding's token scope (NAIS's name for it).
    public var isdialogmeldingScope: String?
    /// `AZURE_APP_WELL_KNOWN_URL`: Azure AD's OpenID configuration (issuer, keys) for the case
    /// workers' tokens; NAIS injects it with `azure.application.enabled`.
    public var azureWellKnownURL: EndpointURL?
    /// `ISTILGANGSKONTROLL_URL`: who may see which person (the case workers' routes).
    public var istilgangskontroll: EndpointURL?
    /// `ISTILGANGSKONTROLL_CLIENT_ID`: the on-behalf-of scope for istilgangskontroll.
    public var istilgangskontrollScope: String?
    /// `Nav-Consumer-Id` towards pdfgen and Ereg.
    public var appName: String
    /// `NAV_HTTP_MAX_CONNECTIONS_PER_HOST` (default 256, the consumers' default window): the
    /// connections kept to each NAV API (``NavClients/NavHTTPClients``).
    public var connectionsPerHost: Int

    var httpClient: HTTPClient { NavHTTPClients.client(connectionsPerHost: connectionsPerHost) }

    init(_ env: EnvironmentReader) throws(ConfigurationError) {
        connectionsPerHost = try env.integer("NAV_HTTP_MAX_CONNECTIONS_PER_HOST", default: 256, in: 1...1_000)
        azureTokenEndpoint = env.string("AZURE_OPENID_CONFIG_TOKEN_ENDPOINT").map(EndpointURL.init)
        azureClientID = env.string("AZURE_APP_CLIENT_ID")
        azureClientSecret = env.string("AZURE_APP_CLIENT_SECRET")
        aareg = env.string("AAREG_URL").map(EndpointURL.init)
        aaregScope = env.string("AAREG_SCOPE")
        pdl = env.string("PDL_URL").map(EndpointURL.init)
        pdlScope = env.string("PDL_SCOPE")
        krr = env.string("KRR_PROXY_URL").map(EndpointURL.init)
        krrScope = env.string("KRR_PROXY_SCOPE")
        pdfgen = env.string("OP_PDFGEN_URL").map(EndpointURL.init)
        ereg = env.string("EREG_URL").map(EndpointURL.init)
        eregScope = env.string("EREG_SCOPE")
        dokarkiv = env.string("DOKARKIV_URL").map(EndpointURL.init)
        dokarkivScope = env.string("DOKARKIV_SCOPE")
        isdialogmelding = env.string("ISDIALOGMELDING_URL").map(EndpointURL.init)
        isdialogmeldingScope = env.string("ISDIALOGMELDING_CLIENT_ID")
        azureWellKnownURL = env.string("AZURE_APP_WELL_KNOWN_URL").map(EndpointURL.init)
        istilgangskontroll = env.string("ISTILGANGSKONTROLL_URL").map(EndpointURL.init)
        istilgangskontrollScope = env.string("ISTILGANGSKONTROLL_CLIENT_ID")
        appName = env.string("NAIS_APP_NAME") ?? "oppfolgingsplan-mottak"
    }

    /// Whether any API still needs its local stand-in.
    public var hasGaps: Bool {
        [azureTokenEndpoint, azureWellKnownURL, aareg, pdl, krr, pdfgen, ereg, dokarkiv, isdialogmelding, istilgangskontroll].contains { $0 == nil }
            || [
                azureClientID, azureClientSecret, aaregScope, pdlScope, krrScope, eregScope, dokarkivScope, isdialogmeldingScope,
                istilgangskontrollScope,
            ].contains { $0 == nil }
    }

    /// The token provider, or the name of the first missing variable.
    func tokens(logger: Logging.Logger) throws(ConfigurationError) -> AzureADTokenProvider {
        let reason = "the lookup and channel roles call NAV's APIs with Azure AD tokens"
        guard let azureTokenEndpoint else { throw .missing("AZURE_OPENID_CONFIG_TOKEN_ENDPOINT", because: reason) }
        guard let azureClientID else { throw .missing("AZURE_APP_CLIENT_ID", because: reason) }
        guard let azureClientSecret else { throw .missing("AZURE_APP_CLIENT_SECRET", because: reason) }
        return AzureADTokenProvider(
            tokenEndpoint: azureTokenEndpoint, clientID: azureClientID, clientSecret: azureClientSecret, httpClient: httpClient, metrics: metrics,
            circuits: circuits,
            logger: logger)
    }

    func aaregClient(tokens: AzureADTokenProvider) throws(ConfigurationError) -> AaregClient {
        guard let aareg else { throw .missing("AAREG_URL", because: "the lookup checks employments in Aareg") }
        guard let aaregScope else { throw .missing("AAREG_SCOPE", because: "the lookup needs a token for Aareg") }
        return AaregClient(baseURL: aareg, scope: aaregScope, tokens: tokens, httpClient: httpClient, metrics: metrics, circuits: circuits)
    }

    func pdfBuilder(plans: PlanPdfStore, tokens: AzureADTokenProvider, logger: Logger) throws(ConfigurationError) -> PlanPdfBuilder {
        guard let krr else { throw .missing("KRR_PROXY_URL", because: "the lookup and the channels put contact details in the PDF") }
        guard let krrScope else { throw .missing("KRR_PROXY_SCOPE", because: "the lookup and the channels need a token for KRR") }
        guard let pdfgen else { throw .missing("OP_PDFGEN_URL", because: "the lookup and the channels render the plan's PDF") }
        return PlanPdfBuilder(
            plans: plans, pdl: try pdlClient(tokens: tokens),
            krr: KrrClient(url: krr, scope: krrScope, tokens: tokens, httpClient: httpClient, metrics: metrics, circuits: circuits),
            pdfgen: PdfGenClient(baseURL: pdfgen, appName: appName, httpClient: httpClient, metrics: metrics, circuits: circuits),
            metricsFactory: metrics.factory,
            logger: logger)
    }

    func eregClient(tokens: AzureADTokenProvider) throws(ConfigurationError) -> EregClient {
        guard let ereg else { throw .missing("EREG_URL", because: "the NAV channel names the employer") }
        guard let eregScope else { throw .missing("EREG_SCOPE", because: "the NAV channel needs a token for Ereg") }
        return EregClient(
            baseURL: ereg, scope: eregScope, appName: appName, tokens: tokens, httpClient: httpClient, metrics: metrics, circuits: circuits)
    }

    func dokarkivClient(tokens: AzureADTokenProvider) throws(ConfigurationError) -> DokarkivClient {
        guard let dokarkiv else { throw .missing("DOKARKIV_URL", because: "the NAV channel journals the plan") }
        guard let dokarkivScope else { throw .missing("DOKARKIV_SCOPE", because: "the NAV channel needs a token for dokarkiv") }
        return DokarkivClient(baseURL: dokarkiv, scope: dokarkivScope, tokens: tokens, httpClient: httpClient, metrics: metrics, circuits: circuits)
    }

    func isdialogmeldingClient(tokens: AzureADTokenProvider) throws(ConfigurationError) -> IsdialogmeldingClient {
        guard let isdialogmelding else { throw .missing("ISDIALOGMELDING_URL", because: "the GP channel sends through isdialogmelding") }
        guard let isdialogmeldingScope else {
            throw .missing("ISDIALOGMELDING_CLIENT_ID", because: "the GP channel needs a token for isdialogmelding")
        }
        return IsdialogmeldingClient(
            baseURL: isdialogmelding, scope: isdialogmeldingScope, tokens: tokens, httpClient: httpClient, metrics: metrics, circuits: circuits)
    }

    /// The case workers' token check: Azure AD's keys, tokens for this application.
    func caseWorkerAuthenticator(logger: Logger) throws(ConfigurationError) -> AzureADAuthenticator {
        let reason = "the case workers' routes (status-query role) verify NAV staff's Azure AD tokens"
        guard let azureWellKnownURL else { throw .missing("AZURE_APP_WELL_KNOWN_URL", because: reason) }
        guard let azureClientID else { throw .missing("AZURE_APP_CLIENT_ID", because: reason) }
        let keys = IssuerKeys(issuerName: "Azure AD", wellKnownURL: { await azureWellKnownURL.resolve() }, httpClient: httpClient, logger: logger)
        return AzureADAuthenticator(keys: keys, clientID: azureClientID)
    }

    func istilgangskontrollClient(tokens: AzureADTokenProvider) throws(ConfigurationError) -> IstilgangskontrollClient {
        let reason = "the case workers' routes (status-query role) ask istilgangskontroll who may see a person"
        guard let istilgangskontroll else { throw .missing("ISTILGANGSKONTROLL_URL", because: reason) }
        guard let istilgangskontrollScope else { throw .missing("ISTILGANGSKONTROLL_CLIENT_ID", because: reason) }
        return IstilgangskontrollClient(
            baseURL: istilgangskontroll, scope: istilgangskontrollScope, tokens: tokens, httpClient: httpClient, metrics: metrics,
            circuits: circuits)
    }

    func pdlClient(tokens: AzureADTokenProvider) throws(ConfigurationError) -> PdlClient {
        guard let pdl else { throw .missing("PDL_URL", because: "the lookup checks the person in PDL") }
        guard let pdlScope else { throw .missing("PDL_SCOPE", because: "the lookup needs a token for PDL") }
        return PdlClient(url: pdl, scope: pdlScope, tokens: tokens, httpClient: httpClient, metrics: metrics, circuits: circuits)
    }
}
