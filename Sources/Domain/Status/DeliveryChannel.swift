/// The two ways a plan leaves the service: to NAV (journal post, and a Modia task when the
/// employer asked for help) and to the employee's general practitioner (fastlege).
public enum DeliveryChannel: String, Sendable, CaseIterable, Codable {
    case nav
    case generalPractitioner
}
