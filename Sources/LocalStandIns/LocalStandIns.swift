/// Local stand-ins for NAV's HTTP APIs and a local Maskinporten issuer, for `mottak dev` and
/// the tests only. They follow the real shapes, record what they received and can be told to
/// fail. Production never starts them.
///
/// Built so far: the issuer's keys and token minting (``LocalMaskinportenIssuer``). Its HTTP
/// endpoints (well-known, JWKS) come with issue #4's intake; NAV's APIs with issue #5.
public enum LocalStandIns {}
