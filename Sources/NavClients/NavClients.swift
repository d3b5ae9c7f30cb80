/// Clients of NAV's HTTP APIs (PDL, Aareg, KRR, Ereg, pdfgen, dokarkiv, isdialogmelding, Azure
/// AD tokens), each following the real request and response shapes of domain-reference.md.
///
/// Not built yet: issue #5 fills this module.
public enum NavClients {}
