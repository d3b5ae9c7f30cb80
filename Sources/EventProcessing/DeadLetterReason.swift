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
