/// Clients of NAV's HTTP APIs, each following the real request and response shapes of
/// domain-reference.md section 4, with outbound Azure AD tokens (``AzureADTokenProvider``).
///
/// Every client separates an answer (found, not found, no employment) from an outage: a 5xx,
/// a timeout, a refused connection, or an answer we cannot read throws
/// ``DependencyUnavailable``, which the consuming roles retry. An outage is never reported as a
/// business outcome (the Kotlin service turned PDL outages into "employee not found").
/// Clients: Aareg, PDL, KRR, pdfgen, Ereg, dokarkiv, isdialogmelding.
public enum NavClients {}
