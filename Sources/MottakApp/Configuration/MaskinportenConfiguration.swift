import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import NavClients
import Storage

/// Where the verifier reads Maskinporten's issuer and keys: the well-known document.
public struct MaskinportenConfiguration: Sendable {
    /// For logs and the start-up banner.
    public var description: String
    /// Asked on every fetch; constant in production, the local issuer's address once it listens in dev.
    public var wellKnownURL: @Sendable () async throws -> String

    public init(wellKnownURL: String) {
        description = wellKnownURL
        self.wellKnownURL = { wellKnownURL }
    }

    public init(description: String, wellKnownURL: @escaping @Sendable () async throws -> String) {
        self.description = description
        self.wellKnownURL = wellKnownURL
    }
}
