import Foundation
import ModiaApi
import Testing

@testable import AuditLog

/// The audit record's CEF line and its syslog framing, byte for byte: ArcSight parses them.
@Suite(.timeLimit(.minutes(5))) struct AuditRecordTests {
    let time = Date(timeIntervalSince1970: 1_795_766_400.125)

    @Test func theCEFLineNamesWhoWhoseWhatAndTheDecision() {
        let record = AuditRecord(
            navIdent: "Z990000", person: "01019012345", decision: .permit, method: "GET", path: "/api/internad/v1/oppfolgingsplan/lps",
            callID: "call-1", message: "listed 2 follow-up plan(s)", time: time)
        #expect(
            record.cef(product: "lps-oppfolgingsplan-mottak")
                == "CEF:0|sykefraværsoppfølging|lps-oppfolgingsplan-mottak|1.0|audit:access|Sporingslogg|INFO|end=1795766400125 "
                + "suid=Z990000 duid=01019012345 sproc=call-1 requestMethod=GET request=/api/internad/v1/oppfolgingsplan/lps "
                + "flexString1Label=Decision flexString1=Permit msg=listed 2 follow-up plan(s)")
    }

    @Test func aCallersTextCannotForgeFieldsOrLines() {
        // The call id is the caller's header: an `=` or a line end must not start a field or a record.
        let record = AuditRecord(
            navIdent: "Z990000", person: nil, decision: .deny, method: "GET", path: "/p", callID: "x duid=01010112345\nCEF:0|forged",
            message: "a\\b", time: time)
        let line = record.cef(vendor: "a|b", product: "app")
        #expect(line.hasPrefix("CEF:0|a\\|b|app|"))
        #expect(line.contains(#"sproc=x duid\=01010112345\nCEF:0|forged"#))
        #expect(!line.contains("\n"))
        #expect(line.hasSuffix(#"msg=a\\b"#))
        #expect(!line.contains(" duid=0"), "no person, no duid")
    }

    @Test func theSyslogLineIsBSDSyslogWithTheAppAsTag() {
        #expect(
            SyslogAuditTrail.syslogLine("CEF:0|x", appName: "lps-oppfolgingsplan-mottak", hostname: "pod-1", time: time)
                == "<14>Nov 27 08:00:00 pod-1 lps-oppfolgingsplan-mottak: CEF:0|x\n")
        #expect(
            SyslogAuditTrail.syslogLine("m", appName: "a", hostname: "h", time: Date(timeIntervalSince1970: 1_767_225_600))
                == "<14>Jan  1 00:00:00 h a: m\n", "the day space-padded")
    }

    @Test func timesAreWrittenAsJacksonWritesALocalDateTime() {
        #expect(ModiaPlanSummary.localDateTime(microseconds: "2024-05-02T10:11:12.340000") == "2024-05-02T10:11:12.34")
        #expect(ModiaPlanSummary.localDateTime(microseconds: "2024-05-02T10:11:12.000000") == "2024-05-02T10:11:12")
        #expect(ModiaPlanSummary.localDateTime(microseconds: "2024-05-02T10:11:12.000001") == "2024-05-02T10:11:12.000001")
    }
}
