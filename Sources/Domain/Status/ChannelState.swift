/// The state of one delivery channel of one plan.
///
/// `isSentTo…Status` in the public contract is true exactly when the channel is `sent`.
public enum ChannelState: String, Sendable, CaseIterable, Codable {
    case notRequested = "NOT_REQUESTED"
    case pending = "PENDING"
    case sent = "SENT"
    case failed = "FAILED"
}
