import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import NavClients
import PlanPdf
import Storage

/// Delivers one plan to the GP. The outcome is recorded per plan (`processed_step`
/// `isdialogmelding`) right after isdialogmelding answers, so a redelivered message sends
/// nothing again. (isdialogmelding has no idempotency key of its own: a crash between its
/// answer and that record would send the message twice; the window is one local write.)
public struct GpChannelHandler: Sendable {
    let plans: PlanStore
    let steps: ProcessedSteps
    let pdfs: PlanPdfBuilder
    let isdialogmelding: IsdialogmeldingClient
    let producer: KafkaProducer
    let logger: Logger

    public init(
        plans: PlanStore, steps: ProcessedSteps, pdfs: PlanPdfBuilder, isdialogmelding: IsdialogmeldingClient, producer: KafkaProducer,
        logger: Logger
    ) {
        self.plans = plans
        self.steps = steps
        self.pdfs = pdfs
        self.isdialogmelding = isdialogmelding
        self.producer = producer
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        let event = try PlanReceivedEvent.decode(message)
        guard let stored = try await plans.plan(event.uuid) else { throw PoisonMessage("no plan \(event.uuid.uuidString.lowercased()) is stored") }
        let sent = try await deliver(stored)
        let status = sent
            ? StatusEvent(uuid: stored.uuid, kind: .channelSent, channel: .generalPractitioner)
            : StatusEvent(uuid: stored.uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(ApiError.generalPractitionerNotFound))
        try await producer.publish(status, causedBy: message)
        logger.info(
            sent ? "plan delivered to the GP" : "the employee has no GP that can receive the plan",
            metadata: ["plan_uuid": "\(stored.uuid.uuidString.lowercased())"])
    }

    /// True when sent, false when there is no GP to send to.
    func deliver(_ stored: PlanStore.StoredPlan) async throws -> Bool {
        if let recorded = try await steps.result(of: "isdialogmelding", for: stored.uuid) { return recorded.contains("SENT") }
        let pdf = try await pdfs.pdf(for: stored)
        let outcome = try await isdialogmelding.send(pdf: pdf, to: stored.plan.employeeIdentificationNumber)
        let recorded = try await steps.record(
            "isdialogmelding", for: stored.uuid, result: outcome == .sent ? #"{"outcome":"SENT"}"# : #"{"outcome":"GP_NOT_FOUND"}"#)
        return recorded.contains("SENT")
    }
}
