import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import PostgresNIO
import Storage

/// Handles one message of the received topic: decide (or repeat the recorded decision), then
/// publish to the verified topic (verified plans) and the status event, awaiting both.
public struct LookupHandler: Sendable {
    /// The step name in `processed_step`.
    static let step = "lookup"

    let checks: LookupChecks
    let postgres: PostgresClient
    let steps: ProcessedSteps
    let producer: KafkaProducer
    let topics: EventTopics
    /// Whether the dev test identities skip the checks (`NAIS_CLUSTER_NAME=dev-gcp` or the flag).
    let devIdentitiesSkipChecks: Bool
    let logger: Logger

    public init(
        checks: LookupChecks, postgres: PostgresClient, steps: ProcessedSteps, producer: KafkaProducer, topics: EventTopics,
        devIdentitiesSkipChecks: Bool, logger: Logger
    ) {
        self.checks = checks
        self.postgres = postgres
        self.steps = steps
        self.producer = producer
        self.topics = topics
        self.devIdentitiesSkipChecks = devIdentitiesSkipChecks
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        let event = try PlanRoutingFacts.decode(message)
        let rejection = try await decide(event.uuid)
        let status = StatusStepEvent(
            uuid: event.uuid, kind: rejection == nil ? .verified : .rejected, error: rejection.map(StatusStepEvent.Problem.init))
        let key = Array(event.uuid.lowercasedString.utf8)
        async let statusSent: Void = producer.publish(status, to: topics, causedBy: message)
        if rejection == nil {
            // The received event's facts are what the router needs: pass them on unchanged.
            _ = try await producer.send(
                topic: topics.verified, key: key, value: message.value,
                headers: message.carriedHeaders(eventType: .verified))
        }
        try await statusSent
        logger.info(
            rejection == nil ? "plan verified" : "plan rejected",
            metadata: ["plan_uuid": "\(event.uuid.lowercasedString)", "rejection": "\(rejection?.type.rawValue ?? "-")"])
    }

    /// The recorded verdict, or a new one recorded now. Nil means verified.
    func decide(_ uuid: UUID) async throws -> ApiError? {
        // One read: the plan's facts, an earlier delivery's verdict, the active sykmeldinger.
        guard let facts = try await LookupFacts.read(uuid, from: postgres, logger: logger) else {
            throw PoisonMessage("no plan \(uuid.lowercasedString) is stored")
        }
        let recorded = try await steps.once(Self.step, for: uuid, recorded: facts.steps) {
            if devIdentitiesSkipChecks && Lookup.devTestIdentities.contains(facts.employeeIdentificationNumber) { return Verdict(nil) }
            return Verdict(
                try await checks.verdict(
                    employee: facts.employeeIdentificationNumber, employer: facts.employerOrgNumber, activeSykmeldingAt: facts.activeSykmeldingAt))
        }
        return try recorded.rejection()
    }

    /// A lookup's verdict as `processed_step` keeps it: `{"verdict":"VERIFIED"}` or
    /// `{"verdict":"REJECTED","type":"NO_ACTIVE_EMPLOYMENT"}`.
    struct Verdict: Codable, Sendable, Equatable {
        var verdict: String
        var type: ErrorType?

        init(_ rejection: ApiError?) {
            verdict = rejection == nil ? "VERIFIED" : "REJECTED"
            type = rejection?.type
        }

        /// The rejection it stands for; nil means verified.
        func rejection() throws -> ApiError? {
            switch type {
            case nil: nil
            case .noActiveEmployment: .noActiveEmployment
            case .noActiveSentSykmelding: .noActiveSentSykmelding
            case .employeeNotFound: .employeeNotFound
            case .some(let other): throw PoisonMessage("a recorded lookup verdict \(other.rawValue) is not one the lookup gives")
            }
        }
    }
}
