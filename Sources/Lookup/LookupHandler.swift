import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import PlanPdf
import PlanStatusRecords
import PostgresNIO
import Storage

/// Handles one message of the received topic: decide (or repeat the recorded decision), record
/// the verdict with its status change (IN_PROGRESS or REJECTED) in one statement, build a
/// verified plan's PDF (``buildPDF(_:)``), then send it to its channels' topics
/// (``EventProcessing/ChannelRouting``).
public struct LookupHandler: Sendable {
    /// The step name in `processed_step`.
    static let step = "lookup"

    let checks: LookupChecks
    let postgres: PostgresClient
    let steps: ProcessedSteps
    let statuses: StatusTransitions
    let producer: KafkaProducer
    let topics: EventTopics
    /// Builds a verified plan's PDF before it goes to its channels.
    let pdfs: PlanPdfBuilder
    /// Whether the dev test identities skip the checks (`NAIS_CLUSTER_NAME=dev-gcp` or the flag).
    let devIdentitiesSkipChecks: Bool
    let logger: Logger

    public init(
        checks: LookupChecks, postgres: PostgresClient, steps: ProcessedSteps, statuses: StatusTransitions, producer: KafkaProducer,
        topics: EventTopics, pdfs: PlanPdfBuilder, devIdentitiesSkipChecks: Bool, logger: Logger
    ) {
        self.pdfs = pdfs
        self.statuses = statuses
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
        let (rejection, plan) = try await decideWithPlan(event)
        if rejection == nil, !ChannelRouting.channels(for: event).isEmpty { await buildPDF(plan) }
        // A verified plan goes, unchanged, straight to its channels (a redelivery sends again:
        // the channels are idempotent per plan).
        let channels = rejection == nil ? try await ChannelRouting.send(message, event, producer: producer, topics: topics) : []
        logger.info(
            rejection == nil ? "plan verified" : "plan rejected",
            metadata: [
                "plan_uuid": "\(event.uuid.lowercasedString)", "rejection": "\(rejection?.type.rawValue ?? "-")",
                "channels": "\(channels.map(\.rawValue))",
            ])
    }

    /// Builds and stores the plan's PDF, so that its channels find it (#28): one builder per plan,
    /// no lease and no channel waiting for the other. Best effort: when PDL, KRR or pdfgen fail,
    /// the plan goes on without it and its channels build it as before, each with its own
    /// retries, parking and waiting status per channel; the lookup neither retries nor parks for it.
    func buildPDF(_ plan: StoredPlan) async {
        do {
            try await pdfs.buildBeforeFanOut(plan)
        } catch {
            logger.info(
                "the PDF could not be built before the channels; they build it",
                metadata: ["plan_uuid": "\(plan.uuid.lowercasedString)", "error": "\(LoggedError.text(error))"])
        }
    }

    /// The recorded verdict, or a new one recorded now with its status change. Nil means verified.
    func decide(_ event: PlanRoutingFacts) async throws -> ApiError? {
        try await decideWithPlan(event).rejection
    }

    /// ``decide(_:)``, with the plan as it was read with its facts (its PDF, when one is stored).
    func decideWithPlan(_ event: PlanRoutingFacts) async throws -> (rejection: ApiError?, plan: StoredPlan) {
        let uuid = event.uuid
        // One read: the plan's facts, an earlier delivery's verdict, the active sykmeldinger.
        guard let facts = try await LookupFacts.read(uuid, from: postgres, logger: logger) else {
            throw PoisonMessage("no plan \(uuid.lowercasedString) is stored")
        }
        let recording = statuses.recording(Self.step, for: uuid, frontDoor: event.submittedVia) { result in
            Self.statusEvent(uuid, try JSONDecoder().decode(Verdict.self, from: Data(result.utf8)).rejection())
        }
        let recorded = try await steps.once(Self.step, for: uuid, recorded: facts.steps, recording: recording) {
            if devIdentitiesSkipChecks && Lookup.devTestIdentities.contains(facts.employeeIdentificationNumber) { return Verdict(nil) }
            return Verdict(
                try await checks.verdict(
                    employee: facts.employeeIdentificationNumber, employer: facts.employerOrgNumber, activeSykmeldingAt: facts.activeSykmeldingAt))
        }
        return (try recorded.rejection(), facts.plan)
    }

    /// The status change of a verdict (nil: verified).
    static func statusEvent(_ uuid: UUID, _ rejection: ApiError?) -> StatusStepEvent {
        StatusStepEvent(uuid: uuid, kind: rejection == nil ? .verified : .rejected, error: rejection.map(StatusStepEvent.Problem.init))
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
