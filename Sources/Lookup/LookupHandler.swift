import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import NavClients
import PlanPdf
import PlanStatusRecords
import PostgresNIO
import Storage
import Synchronization

/// Handles one message of the received topic: decide (or repeat the recorded decision), build a
/// verified plan's PDF, record the verdict with its status change (IN_PROGRESS or REJECTED) and
/// the PDF in one statement, then send the plan to its channels' topics
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
        let rejection = try await decide(event)
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

    /// The recorded verdict, or a new one recorded now with its status change. Nil means verified.
    ///
    /// A verified plan that goes to a channel has its PDF built here, so that its channels find
    /// it (#28): one builder per plan, no lease and no channel waiting for the other. The PDF is
    /// built between the checks and the verdict's record, from what PDL told the check that the
    /// person exists, and stored in the record's own statement (no statement or transaction of
    /// its own). Best effort: when KRR or pdfgen fail, the verdict is recorded without it and
    /// the channels build it as before, each with its own retries, parking and waiting status; the
    /// lookup neither retries nor parks for it. A delivery that finds the verdict recorded (a
    /// redelivery, or a retry after the record failed) builds a missing PDF on its own.
    func decide(_ event: PlanRoutingFacts) async throws -> ApiError? {
        let uuid = event.uuid
        // One read: the plan's facts, an earlier delivery's verdict, the active sykmeldinger.
        guard let facts = try await LookupFacts.read(uuid, from: postgres, logger: logger) else {
            throw PoisonMessage("no plan \(uuid.lowercasedString) is stored")
        }
        let needsPDF = facts.plan.pdf == nil && !ChannelRouting.channels(for: event).isEmpty
        let built = PDFForTheVerdict()
        let recording = statuses.recording(
            Self.step, for: uuid, frontDoor: event.submittedVia, companion: { _ in built.handOver().map(PlanPdfStore.storedWithRecord) },
            as: { result in Self.statusEvent(uuid, try JSONDecoder().decode(Verdict.self, from: Data(result.utf8)).rejection()) })
        let recorded = try await steps.once(Self.step, for: uuid, recorded: facts.steps, recording: recording) {
            if devIdentitiesSkipChecks && Lookup.devTestIdentities.contains(facts.employeeIdentificationNumber) {
                if needsPDF { built.keep(await buildPDF(facts.plan, person: nil)) }
                return Verdict(nil)
            }
            let (rejection, person) = try await checks.outcome(
                employee: facts.employeeIdentificationNumber, employer: facts.employerOrgNumber, activeSykmeldingAt: facts.activeSykmeldingAt)
            if rejection == nil, needsPDF { built.keep(await buildPDF(facts.plan, person: person)) }
            return Verdict(rejection)
        }
        let rejection = try recorded.rejection()
        if rejection == nil, needsPDF, !built.tried {
            do {
                try await pdfs.buildBeforeFanOut(facts.plan)
            } catch {
                logPDFLeftToTheChannels(uuid, error)
            }
        }
        return rejection
    }

    /// The plan's PDF, or nil (logged) when it cannot be built now: its channels build it then.
    func buildPDF(_ plan: StoredPlan, person: PdlClient.PersonDetails?) async -> [UInt8]? {
        do {
            return try await pdfs.render(plan, person: person)
        } catch {
            logPDFLeftToTheChannels(plan.uuid, error)
            return nil
        }
    }

    private func logPDFLeftToTheChannels(_ uuid: UUID, _ error: any Error) {
        logger.info(
            "the PDF could not be built before the channels; they build it",
            metadata: ["plan_uuid": "\(uuid.lowercasedString)", "error": "\(LoggedError.text(error))"])
    }

    /// The PDF built during the checks, on its way to the verdict's record: the record's statement
    /// runs in a `@Sendable` closure of its own (``Storage/StepRecording``), so the PDF goes
    /// through this box, handed over at most once. When the checks did not run here (the verdict
    /// was recorded before, or a retry records a verdict whose record failed), nothing was tried,
    /// and a missing PDF is built after the verdict instead.
    final class PDFForTheVerdict: Sendable {
        private let state = Mutex<(pdf: [UInt8]?, tried: Bool)>((nil, false))

        /// What the build gave (nil: it failed, and the channels build the PDF).
        func keep(_ pdf: [UInt8]?) { state.withLock { $0 = (pdf, true) } }

        /// The PDF for the record's statement, once.
        func handOver() -> [UInt8]? {
            state.withLock { state in
                defer { state.pdf = nil }
                return state.pdf
            }
        }

        /// Whether this delivery tried to build the PDF (successful or not).
        var tried: Bool { state.withLock { $0.tried } }
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
