/// Local stand-ins for NAV's HTTP APIs and a local Maskinporten issuer, for `mottak dev` and
/// the tests only. They follow the real shapes, record what they received and can be told to
/// fail. Production never starts them.
///
/// Not built yet: issues #4 (Maskinporten) and #5 (NAV's APIs) fill this module.
public enum LocalStandIns {}
