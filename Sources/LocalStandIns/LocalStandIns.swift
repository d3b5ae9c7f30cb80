/// Local stand-ins for NAV's HTTP APIs and a local Maskinporten issuer, for `mottak-dev` and
/// the tests only. They follow the real shapes, record what they received and can be told to
/// fail. Production never starts them.
///
/// The Maskinporten issuer (``LocalMaskinportenIssuer``, served by ``LocalMaskinportenServer``)
/// and NAV's APIs (``LocalNavServer`` with the people of ``LocalNavFixtures``).
public enum LocalStandIns {}
