import Hummingbird

/// `{"status":"UP|DOWN","checks":{"postgres":{"status":"UP"},"kafka":{"status":"DOWN","problem":"…"}}}`
struct ReadinessBody: ResponseEncodable {
    struct Check: Codable {
        var status: String
        var problem: String?
    }

    var status: String
    var checks: [String: Check]
}
