import Crypto
import Domain
import Foundation

extension SubmissionStore {
    /// An `Idempotency-Key` header as the store needs it: the key and a digest of the request
    /// it came with, to tell a retry (same digest) from a reuse for another plan.
    public struct IdempotencyClaim: Sendable, Equatable {
        public var key: String
        public var requestDigest: String

        public init(key: String, requestDigest: String) {
            self.key = key
            self.requestDigest = requestDigest
        }

        /// A claim of `key` for `plan`, whichever front door it came through.
        public init(key: String, plan: FollowUpPlanDTO) {
            self.init(key: key, requestDigest: Self.digest(plan))
        }

        /// SHA-256 of the plan's canonical JSON: a retry with the same plan matches even when
        /// the client serialised it with other spacing or property order.
        public static func digest(_ plan: FollowUpPlanDTO) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let canonical = (try? encoder.encode(plan)) ?? Data()
            return SHA256.hash(data: canonical).map { String(format: "%02x", $0) }.joined()
        }
    }
}
