import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import Metrics
import NavClients
import PlanPdf
import PlanStatusRecords
import Storage

/// Delivers one plan to the GP. The outcome is recorded per plan (`processed_step`
/// `isdialogmelding`) right after isdialogmelding answers, so a redelivered message sends
/// nothing again.
///
/// isdialogmelding has no idempotency key of its own: a process that dies between its answer and
/// that record, or a call that gets no answer, leaves us not knowing whether the GP got the
/// plan. We send again rather than risk losing it, and make the doubt visible: a note
/// (`isdialogmelding-sending`) is written before each call (by the read of the plan when it can:
/// `GpChannelHandler+Read.swift`) and removed when isdialogmelding refuses or was certainly not
/// called (its circuit open, no token); finding an earlier note means an earlier attempt ended without a known answer, which
/// is logged as a warning and counted in `mottak_gp_possible_duplicates_total`.
///
/// A note younger than ``sendLease`` is another member's call that may still be in flight (a
/// member whose partition was revoked while it was calling, its grace overrun): this attempt
/// waits for it (``SendInFlight``, retried and, past the quick attempts, parked) instead of
/// sending beside it. Only an older note, whose call cannot still be running, is taken over.
public struct GpChannelHandler: Sendable {
    let plans: PlanPdfStore
    let steps: ProcessedSteps
    let statuses: StatusTransitions
    let pdfs: PlanPdfBuilder
    let isdialogmelding: IsdialogmeldingClient
    let possibleDuplicates: Counter
    let logger: Logger

    /// The step name of the channel's outcome in `processed_step`.
    static let step = "isdialogmelding"
    static let sendingNote = "isdialogmelding-sending"
    /// How long an attempt's note counts as a call in flight: longer than a call to
    /// isdialogmelding can take (NAV's clients time out within 30 s) with the PDF before it.
    let sendLease: Duration

    /// Another member's attempt to send this plan may still be waiting for isdialogmelding.
    struct SendInFlight: Error, CustomStringConvertible {
        var age: Double
        var description: String {
            "an attempt to send this plan to the GP began \(Int(age)) s ago and may still be in flight; waiting for it"
        }
    }

    public init(
        plans: PlanPdfStore, steps: ProcessedSteps, statuses: StatusTransitions, pdfs: PlanPdfBuilder, isdialogmelding: IsdialogmeldingClient,
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        sendLease: Duration = .seconds(90), logger: Logger
    ) {
        self.statuses = statuses
        self.sendLease = sendLease
        self.plans = plans
        self.steps = steps
        self.pdfs = pdfs
        self.isdialogmelding = isdialogmelding
        self.possibleDuplicates = Counter(label: "mottak_gp_possible_duplicates_total", factory: metricsFactory)
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        let event = try PlanRoutingFacts.decode(message)
        let uuid = event.uuid.lowercasedString
        switch try await deliver(event.uuid, frontDoor: event.submittedVia) {
        case .sent: logger.info("plan delivered to the GP", metadata: ["plan_uuid": "\(uuid)"])
        case .noGeneralPractitioner: logger.info("the employee has no GP that can receive the plan", metadata: ["plan_uuid": "\(uuid)"])
        case .refused: logger.error("isdialogmelding refused the plan (400); not retried", metadata: ["plan_uuid": "\(uuid)"])
        }
    }

    /// The GP channel's status change for an outcome.
    static func statusEvent(_ uuid: UUID, _ outcome: Delivery) -> StatusStepEvent {
        switch outcome {
        case .sent: StatusStepEvent(uuid: uuid, kind: .channelSent, channel: .generalPractitioner)
        case .noGeneralPractitioner:
            StatusStepEvent(uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(ApiError.generalPractitionerNotFound))
        case .refused:
            StatusStepEvent(
                uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(ApiError.generalPractitionerMessageRefused))
        }
    }

    /// How the GP channel ended for a plan; recorded, so a redelivery repeats the outcome.
    enum Delivery: String, Codable, Sendable {
        case sent = "SENT"
        case noGeneralPractitioner = "GP_NOT_FOUND"
        /// isdialogmelding answered 400: it will never take this message.
        case refused = "REFUSED"
    }

    private struct Recorded: Codable, Sendable { var outcome: Delivery }

    /// Reads plan `uuid` (``readNotingAttempt(_:note:)``) and sends it once.
    func deliver(_ uuid: UUID, frontDoor: PlanSubmission.FrontDoor = .http) async throws -> Delivery {
        guard let read = try await readNotingAttempt(uuid, note: try Note.mine().text()) else {
            throw PoisonMessage("no plan \(uuid.lowercasedString) is stored")
        }
        return try await deliver(read.plan, frontDoor: frontDoor, noted: read.noted)
    }

    /// Sends the plan once; the outcome's record carries the channel's status change. `noted` is
    /// whether the read wrote this attempt's note (``readNotingAttempt(_:note:)``); if not, the
    /// attempt notes itself just before its call.
    func deliver(_ stored: StoredPlan, frontDoor: PlanSubmission.FrontDoor = .http, noted: Bool = false) async throws -> Delivery {
        let uuid = stored.uuid
        let recording = statuses.recording(Self.step, for: uuid, frontDoor: frontDoor) { result in
            Self.statusEvent(uuid, try JSONDecoder().decode(Recorded.self, from: Data(result.utf8)).outcome)
        }
        return try await steps.once(Self.step, for: stored.uuid, recorded: stored.steps, recording: recording) {
            let pdf = try await pdfs.pdf(for: stored)
            if !noted { try await noteAttempt(stored.uuid) }
            do {
                switch try await isdialogmelding.send(pdf: pdf, to: stored.plan.employeeIdentificationNumber) {
                case .sent: return Recorded(outcome: .sent)
                case .generalPractitionerNotFound: return Recorded(outcome: .noGeneralPractitioner)
                case .refused: return Recorded(outcome: .refused)
                case .notAccepted(let status):
                    // A definite refusal: the GP did not get the plan, so the retry is no duplicate.
                    try await steps.forget(Self.sendingNote, for: stored.uuid)
                    throw DependencyUnavailable("isdialogmelding", "status \(status)")
                }
            } catch let denied as NavAccessDenied {
                // 401/403: certainly not taken either.
                try await steps.forget(Self.sendingNote, for: stored.uuid)
                throw denied
            } catch let unavailable as DependencyUnavailable where unavailable.isCircuitOpen || unavailable.dependency != "isdialogmelding" {
                // Not called at all: its circuit was open, or Azure AD gave no token. Left
                // behind, the note would flag the retry as a possible duplicate (the fault suite's
                // outage flagged up to 63 plans beside the 3 that its kill sent twice).
                try await steps.forget(Self.sendingNote, for: stored.uuid)
                throw unavailable
            }
        }.outcome
    }

    /// Writes the note that a message is about to go out. An earlier attempt's note: younger
    /// than ``sendLease``, that attempt may still be in flight and this one waits
    /// (``SendInFlight``); older, it ended without a known answer, so this one takes the note
    /// over and sends, warning that the GP may receive the plan twice.
    private func noteAttempt(_ uuid: UUID) async throws {
        let mine = Note.mine()
        let text = try mine.text()
        let stored = try await steps.record(Self.sendingNote, for: uuid, result: text)
        let earlier = try? JSONDecoder().decode(Note.self, from: Data(stored.utf8))
        guard earlier?.attempt != mine.attempt else { return }
        // A note without a time (written before the lease) is as old as can be.
        let age = Date().timeIntervalSince1970 - (earlier?.at ?? 0)
        let lease = Double(sendLease.components.seconds)
        if age < lease { throw SendInFlight(age: age) }
        // Take the note over, so that a later attempt waits for this one in turn; only one of two
        // attempts that found the same old note can.
        guard try await steps.replace(Self.sendingNote, for: uuid, expected: stored, with: text) else {
            throw SendInFlight(age: 0)  // another member took it over at the same moment
        }
        possibleDuplicates.increment()
        logger.warning(
            "an earlier attempt to send this plan to the GP ended without a known answer; sending again, so the GP may receive it twice",
            metadata: ["plan_uuid": "\(uuid.lowercasedString)", "earlier_attempt_age_seconds": "\(Int(age))"])
    }
}

extension GpChannelHandler {
    /// An attempt's note (``GpChannelHandler/sendingNote``): which attempt, and when it began.
    struct Note: Codable, Sendable {
        var attempt: String
        var at: Double?

        /// A note for a new attempt, now.
        static func mine() -> Note { Note(attempt: UUID().lowercasedString, at: Date().timeIntervalSince1970) }

        /// The note as `processed_step` keeps it.
        func text() throws -> String { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }
    }
}
