/// A message that can never be handled, however often it is tried: it cannot be decoded, or it
/// names something that cannot exist. It goes to the dead-letter topic at once and the
/// consumer moves on. Any other error a handler throws is taken as transient and retried.
public struct PoisonMessage: Error, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "poison message: \(reason)" }
}
