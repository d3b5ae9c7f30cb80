import Logging
import NavClients

/// Where NAV's APIs are and how to get tokens for them, with NAIS's variable names
/// (domain-reference.md 7.1). Each value that is unset is filled by `mottak dev` with its local
/// stand-in, so the service can run against any mix of real and local APIs.
public struct NavApiConfiguration: Sendable {
    public var azureTokenEndpoint: EndpointURL?
    public var azureClientID: String?
    public var azureClientSecret: String?
    public var aareg: EndpointURL?
    public var aaregScope: String?
    public var pdl: EndpointURL?
    public var pdlScope: String?

    init(_ env: EnvironmentReader) {
        azureTokenEndpoint = env.string("AZURE_OPENID_CONFIG_TOKEN_ENDPOINT").map(EndpointURL.init)
        azureClientID = env.string("AZURE_APP_CLIENT_ID")
        azureClientSecret = env.string("AZURE_APP_CLIENT_SECRET")
        aareg = env.string("AAREG_URL").map(EndpointURL.init)
        aaregScope = env.string("AAREG_SCOPE")
        pdl = env.string("PDL_URL").map(EndpointURL.init)
        pdlScope = env.string("PDL_SCOPE")
    }

    /// Whether any API still needs its local stand-in.
    var hasGaps: Bool {
        azureTokenEndpoint == nil || azureClientID == nil || azureClientSecret == nil || aareg == nil || aaregScope == nil || pdl == nil
            || pdlScope == nil
    }

    /// The token provider, or the name of the first missing variable.
    func tokens(logger: Logging.Logger) throws(ConfigurationError) -> AzureADTokenProvider {
        let reason = "the lookup and channel roles call NAV's APIs with Azure AD tokens"
        guard let azureTokenEndpoint else { throw .missing("AZURE_OPENID_CONFIG_TOKEN_ENDPOINT", because: reason) }
        guard let azureClientID else { throw .missing("AZURE_APP_CLIENT_ID", because: reason) }
        guard let azureClientSecret else { throw .missing("AZURE_APP_CLIENT_SECRET", because: reason) }
        return AzureADTokenProvider(tokenEndpoint: azureTokenEndpoint, clientID: azureClientID, clientSecret: azureClientSecret, logger: logger)
    }

    func aaregClient(tokens: AzureADTokenProvider) throws(ConfigurationError) -> AaregClient {
        guard let aareg else { throw .missing("AAREG_URL", because: "the lookup checks employments in Aareg") }
        guard let aaregScope else { throw .missing("AAREG_SCOPE", because: "the lookup needs a token for Aareg") }
        return AaregClient(baseURL: aareg, scope: aaregScope, tokens: tokens)
    }

    func pdlClient(tokens: AzureADTokenProvider) throws(ConfigurationError) -> PdlClient {
        guard let pdl else { throw .missing("PDL_URL", because: "the lookup checks the person in PDL") }
        guard let pdlScope else { throw .missing("PDL_SCOPE", because: "the lookup needs a token for PDL") }
        return PdlClient(url: pdl, scope: pdlScope, tokens: tokens)
    }
}
