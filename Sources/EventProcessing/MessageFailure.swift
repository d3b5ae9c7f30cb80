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

/// How a message left the consumer when it was not handled.
public enum DeadLetterReason: Sendable, Equatable {
    /// ``PoisonMessage``: never retried.
    case poison(String)
    /// Still failing after the retry policy's last attempt.
    case retriesExhausted(attempts: Int, lastError: String)

    /// The `dlq-reason` header.
    public var headerValue: String {
        switch self {
        case .poison(let reason): "poison: \(reason)"
        case .retriesExhausted(let attempts, let lastError): "failed \(attempts) times: \(lastError)"
        }
    }
}
