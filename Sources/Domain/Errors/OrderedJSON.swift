import Foundation

/// The JSON bodies of the public contract with their properties in the contract's order.
///
/// Foundation's `JSONEncoder` on Linux writes keys in hash order, which changes from run to run.
/// The contract does not promise an order, but a stable one (the order of the reference's
/// examples) makes responses diffable and logs readable, and costs nothing.
extension ApiError {
    public var jsonBody: Data {
        Data(
            #"{"status":{"value":\#(status.value),"description":\#(OrderedJSON.string(status.description))},"type":\#(OrderedJSON.string(type.rawValue)),"message":\#(OrderedJSON.string(message))}"#
                .utf8)
    }
}

extension FollowUpPlanResponse {
    public var jsonBody: Data {
        Data(
            #"{"uuid":\#(OrderedJSON.string(uuid)),"isSentToGeneralPractitionerStatus":\#(isSentToGeneralPractitionerStatus),"isSentToNavStatus":\#(isSentToNavStatus)}"#
                .utf8)
    }
}

extension PlanReceivedEvent {
    /// The event as the outbox stores it: the `Codable` form's properties, written without
    /// Foundation's encoder (a measurable share of a submission's cost on Linux).
    public var jsonBody: String {
        #"{"version":\#(version),"uuid":"\#(uuid.lowercasedString)","employerOrgNumber":\#(OrderedJSON.string(employerOrgNumber)),"lpsOrgNumber":\#(OrderedJSON.string(lpsOrgNumber)),"sendPlanToNav":\#(sendPlanToNav),"needsHelpFromNav":\#(needsHelpFromNav),"sendPlanToGeneralPractitioner":\#(sendPlanToGeneralPractitioner),"submittedVia":"\#(submittedVia.rawValue)"}"#
    }
}

public enum OrderedJSON {
    /// An ApiError's JSON, or `null`.
    public static func apiError(_ error: ApiError?) -> String {
        error.map { String(decoding: $0.jsonBody, as: UTF8.self) } ?? "null"
    }

    /// A PlanNotice's JSON (`type`, `message`, `since`), or `null`.
    public static func notice(_ notice: PlanNotice?) -> String {
        notice.map { "{\"type\":\(string($0.type)),\"message\":\(string($0.message)),\"since\":\(timestamp($0.since))}" } ?? "null"
    }

    /// A JSON string of `date` in RFC 3339, UTC, with milliseconds.
    public static func timestamp(_ date: Date) -> String {
        "\"" + date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)) + "\""
    }

    /// A JSON object of string values, in the given order.
    public static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { string($0.0) + ":" + string($0.1) }.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string literal, escaped as RFC 8259 requires.
    public static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
