import Foundation

/// One access by a NAV employee to a person's data, as a CEF line for ArcSight (the format of
/// `navikt/naudit`, which NAIS's audit-log guide points to; domain-reference.md 14.5):
///
///     CEF:0|sykefraværsoppfølging|lps-oppfolgingsplan-mottak|1.0|audit:access|Sporingslogg|INFO|end=… suid=Z990000 duid=01019012345 sproc=<call id> requestMethod=GET request=/api/… flexString1Label=Decision flexString1=Permit msg=…
///
/// `suid` who asked, `duid` whose data (absent when the request named no known person),
/// `end` when (epoch milliseconds), `Decision` Permit only when data was shown.
public struct AuditRecord: Sendable, Equatable {
    public enum Decision: String, Sendable {
        case permit = "Permit"
        case deny = "Deny"
    }

    public var navIdent: String
    public var person: String?
    public var decision: Decision
    public var method: String
    public var path: String
    public var callID: String
    /// What happened, in a few words ("listed 2 follow-up plans", "istilgangskontroll denied access").
    public var message: String
    public var time: Date

    public init(
        navIdent: String, person: String?, decision: Decision, method: String, path: String, callID: String, message: String, time: Date = Date()
    ) {
        self.navIdent = navIdent
        self.person = person
        self.decision = decision
        self.method = method
        self.path = path
        self.callID = callID
        self.message = message
        self.time = time
    }

    /// The CEF line (without a line end) for `product` (the NAIS application name).
    public func cef(vendor: String = "sykefraværsoppfølging", product: String) -> String {
        let header = ["CEF:0", Self.header(vendor), Self.header(product), "1.0", "audit:access", "Sporingslogg", "INFO"]
        var fields = [("end", String(Int64((time.timeIntervalSince1970 * 1000).rounded(.down)))), ("suid", navIdent)]
        if let person { fields.append(("duid", person)) }
        fields += [
            ("sproc", callID), ("requestMethod", method), ("request", path), ("flexString1Label", "Decision"),
            ("flexString1", decision.rawValue), ("msg", message),
        ]
        return header.joined(separator: "|") + "|" + fields.map { "\($0.0)=\(Self.extensionValue($0.1))" }.joined(separator: " ")
    }

    /// CEF header fields escape `\` and `|`.
    static func header(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
    }

    /// CEF extension values escape `\` and `=`, and write line ends as `\n` / `\r`.
    static func extensionValue(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "=", with: "\\=")
            .replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }
}
