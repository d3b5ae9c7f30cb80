import Foundation
import Synchronization

/// Tokens that passed verification, by their exact text, until they expire.
///
/// An LPS reuses its Maskinporten token for the token's lifetime (two minutes by default), and
/// Modia a case worker's token for an hour, so most requests carry a token we verified moments
/// ago. Remembering the outcome saves the RSA
/// signature check and the claim parsing on every such request. Only successes are kept; the
/// expiry (with the verifier's leeway) is checked on every use. A token signed with a key that
/// the issuer withdraws stays accepted until it expires, which is what its `exp` promised.
public final class VerifiedTokenCache<Token: ExpiringToken>: Sendable {
    private let entries = Mutex<[String: Token]>([:])
    private let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The verified token for `text`, when there is one that has not expired at `now`.
    public func token(for text: String, now: Date, leeway: Duration) -> Token? {
        let seconds = now.timeIntervalSince1970
        return entries.withLock { entries in
            guard let token = entries[text] else { return nil }
            guard seconds <= token.expiresAt + Double(leeway.components.seconds) else {
                entries[text] = nil
                return nil
            }
            return token
        }
    }

    public func remember(_ token: Token, for text: String, now: Date, leeway: Duration) {
        let seconds = now.timeIntervalSince1970
        let slack = Double(leeway.components.seconds)
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { seconds <= $0.value.expiresAt + slack }
                // Still full of live tokens: start over rather than grow without bound.
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[text] = token
        }
    }
}

/// A verified token's meaning, kept by ``VerifiedTokenCache`` until `expiresAt`.
public protocol ExpiringToken: Sendable {
    /// Seconds since 1970 when the token stops being valid (its `exp`).
    var expiresAt: Double { get }
}
