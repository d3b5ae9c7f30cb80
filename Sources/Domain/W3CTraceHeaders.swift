/// The W3C trace context headers a caller or publisher sent, kept only when well formed: they
/// are copied into every message a plan causes, so an 80 KB or malformed value must stop at
/// the door (W3C Trace Context, level 1: `traceparent` is `version-traceid-parentid-flags` in
/// lower-case hex, 55 characters for version 00, ids not all zeros; `tracestate` only beside a
/// valid `traceparent`, at most 512 characters of printable ASCII, the length the
/// specification tells vendors they may cut it to).
public enum W3CTraceHeaders {
    public static func valid(_ headers: [(String, String)]) -> [(String, String)] {
        guard let parent = headers.last(where: { $0.0 == "traceparent" })?.1, isValidTraceparent(parent) else { return [] }
        var kept = [("traceparent", parent)]
        if let state = headers.last(where: { $0.0 == "tracestate" })?.1, state.utf8.count <= 512,
            state.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
        {
            kept.append(("tracestate", state))
        }
        return kept
    }

    public static func isValidTraceparent(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, value.utf8.count == 55 else { return false }
        let hex = { (part: Substring, count: Int) in
            part.utf8.count == count && part.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        }
        guard hex(parts[0], 2), parts[0] != "ff", hex(parts[1], 32), hex(parts[2], 16), hex(parts[3], 2) else { return false }
        return parts[1].contains { $0 != "0" } && parts[2].contains { $0 != "0" }
    }
}
