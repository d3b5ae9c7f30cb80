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

/// Delivers one plan to NAV. Its side effects are recorded per plan (`processed_step`), so a
/// redelivered message repeats none: `dokarkiv` (the journal post) when the plan needs no Modia
/// task, else `modia` (the task, with the journal post made before it, which dokarkiv keeps
/// idempotent by the plan uuid). That record carries the channel SENT in the same statement.
public struct NavChannelHandler: Sendable {
    let plans: PlanPdfStore
    let steps: ProcessedSteps
    let statuses: StatusTransitions
    let pdfs: PlanPdfBuilder
    let ereg: EregClient
    let dokarkiv: DokarkivClient
    let producer: KafkaProducer
    let topics: EventTopics
    /// `mottak_dokarkiv_not_finalised_total`: journal posts dokarkiv made but did not finish.
    let notFinalised: Counter
    let logger: Logger

    public init(
        plans: PlanPdfStore, steps: ProcessedSteps, statuses: StatusTransitions, pdfs: PlanPdfBuilder, ereg: EregClient, dokarkiv: DokarkivClient,
        producer: KafkaProducer, topics: EventTopics, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        self.statuses = statuses
        self.notFinalised = Counter(label: "mottak_dokarkiv_not_finalised_total", factory: metricsFactory)
        self.plans = plans
        self.steps = steps
        self.pdfs = pdfs
        self.ereg = ereg
        self.dokarkiv = dokarkiv
        self.producer = producer
        self.topics = topics
        self.logger = logger
    }

    public func handle(_ message: KafkaMessage) async throws {
        let event = try PlanRoutingFacts.decode(message)
        guard let stored = try await plans.plan(event.uuid) else { throw PoisonMessage("no plan \(event.uuid.lowercasedString) is stored") }
        let needsModiaTask = stored.plan.sendPlanToNav && stored.plan.needsHelpFromNav == true
        let journalpostID: String? =
            needsModiaTask
            ? try await journalpostAndModiaTask(stored, frontDoor: event.submittedVia)
            : try await journalpost(stored, frontDoor: event.submittedVia)
        logger.info("plan delivered to NAV", metadata: ["plan_uuid": "\(stored.uuid.lowercasedString)", "journalpost_id": "\(journalpostID ?? "-")"])
    }

    /// The NAV channel SENT, with the journal post.
    static func sent(_ uuid: UUID, journalpostID: String?) -> StatusStepEvent {
        StatusStepEvent(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: journalpostID)
    }

    private struct Journalpost: Codable, Sendable { var journalpostId: String }

    /// The journal post, made once; its record carries the channel SENT.
    func journalpost(_ stored: StoredPlan, frontDoor: PlanSubmission.FrontDoor) async throws -> String {
        let uuid = stored.uuid
        let recording = statuses.recording("dokarkiv", for: uuid, frontDoor: frontDoor) { result in
            Self.sent(uuid, journalpostID: try JSONDecoder().decode(Journalpost.self, from: Data(result.utf8)).journalpostId)
        }
        return try await steps.once("dokarkiv", for: uuid, recorded: stored.steps, recording: recording) {
            Journalpost(journalpostId: try await journal(stored))
        }.journalpostId
    }

    /// What the Modia task's record keeps: where the task went, and the journal post made before it.
    struct ModiaTaskRecord: Codable, Sendable {
        var partition: Int32
        var offset: Int64
        /// Nil in a record of a version that recorded the journal post on its own (`dokarkiv`).
        var journalpostId: String?
    }

    /// The journal post and then the Modia task (docs/contracts/modia-topic.md, keyed by the
    /// plan uuid, acknowledged before it counts as done), recorded together by one statement
    /// that carries the channel SENT: the journal post has no record of its own. A delivery that
    /// ends between the two (or before the record) posts the journal again on its redelivery,
    /// and dokarkiv answers that with the post it made (409 on the same `eksternReferanseId`,
    /// docs/contracts/dokarkiv.md with its sources),
    /// so there is still one post per plan; a record of its own cost a statement and a
    /// transaction per plan for that one case. A journal post an older version recorded
    /// (`dokarkiv`) is not posted again.
    func journalpostAndModiaTask(_ stored: StoredPlan, frontDoor: PlanSubmission.FrontDoor) async throws -> String? {
        let uuid = stored.uuid
        let journalledBefore = try stored.steps.result(of: "dokarkiv").map {
            try JSONDecoder().decode(Journalpost.self, from: Data($0.utf8)).journalpostId
        }
        let recording = statuses.recording("modia", for: uuid, frontDoor: frontDoor) { result in
            let record = try JSONDecoder().decode(ModiaTaskRecord.self, from: Data(result.utf8))
            return Self.sent(uuid, journalpostID: record.journalpostId ?? journalledBefore)
        }
        let record = try await steps.once("modia", for: uuid, as: ModiaTaskRecord.self, recorded: stored.steps, recording: recording) {
            let journalpostID: String
            if let journalledBefore { journalpostID = journalledBefore } else { journalpostID = try await journal(stored) }
            let task = ModiaTask(
                uuid: stored.uuid.lowercasedString, fodselsnummer: stored.plan.employeeIdentificationNumber,
                virksomhetsnummer: stored.employerOrgNumber, behovForBistandFraNav: true, opprettet: Self.osloEpochDay())
            let report = try await producer.send(
                topic: topics.modiaTask, key: Array(stored.uuid.lowercasedString.utf8), value: Array(try ContractJSONEncoder.data(task)))
            return ModiaTaskRecord(partition: report.partition, offset: report.offset, journalpostId: journalpostID)
        }
        return record.journalpostId ?? journalledBefore
    }

    /// Posts the plan to dokarkiv: made now (201), or the post made before for this plan (409).
    private func journal(_ stored: StoredPlan) async throws -> String {
        // The employer's name is looked up while the PDF is built: one round trip less per plan.
        async let name = ereg.name(of: stored.employerOrgNumber)
        let pdf = try await pdfs.pdf(for: stored)
        let receipt = try await dokarkiv.journal(
            .init(
                employerOrgNumber: stored.employerOrgNumber, employerName: try await name,
                employeeIdentificationNumber: stored.plan.employeeIdentificationNumber, pdf: pdf,
                externalReference: stored.uuid.lowercasedString))
        if !receipt.finalised {
            // The post exists (a caseworker finishes it by hand), so the plan did reach NAV.
            notFinalised.increment()
            logger.warning(
                "dokarkiv made the journal post but did not finish it (journalpostferdigstilt false)",
                metadata: [
                    "plan_uuid": "\(stored.uuid.lowercasedString)", "journalpost_id": "\(receipt.journalpostID)",
                    "dokarkiv.melding": "\(receipt.message ?? "-")",
                ])
        }
        return receipt.journalpostID
    }

    /// What ispersonoppgave reads from the Modia topic (`KOppfolgingsplanLPS`: all fields
    /// required), its properties in the Kotlin class's order.
    struct ModiaTask: Codable, Equatable {
        var uuid: String
        var fodselsnummer: String
        var virksomhetsnummer: String
        var behovForBistandFraNav: Bool
        /// Today in Oslo as days since 1970-01-01.
        var opprettet: Int
    }

    /// Today in Oslo as days since 1970-01-01.
    static func osloEpochDay(_ now: Date = Date()) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Oslo")!
        let day = calendar.dateComponents([.year, .month, .day], from: now)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let midnight = utc.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
        return Int(midnight.timeIntervalSince1970 / 86_400)
    }
}
