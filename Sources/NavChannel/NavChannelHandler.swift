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

/// Delivers one plan to NAV. Each side effect is recorded per plan (`processed_step`), so a
/// redelivered message repeats none: `dokarkiv` (with the journalpost id) and `modia`. The last
/// of them records the channel SENT in the same statement.
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
        let journalpostID = try await journalpost(stored, sendsStatus: needsModiaTask ? nil : event.submittedVia)
        if needsModiaTask {
            try await modiaTask(stored, journalpostID: journalpostID, frontDoor: event.submittedVia)
        }
        logger.info("plan delivered to NAV", metadata: ["plan_uuid": "\(stored.uuid.lowercasedString)", "journalpost_id": "\(journalpostID)"])
    }

    /// The NAV channel SENT, with the journal post.
    static func sent(_ uuid: UUID, journalpostID: String) -> StatusStepEvent {
        StatusStepEvent(uuid: uuid, kind: .channelSent, channel: .nav, journalpostID: journalpostID)
    }

    private struct Journalpost: Codable, Sendable { var journalpostId: String }

    /// The journal post, made once. `sendsStatus`: this is the channel's last step, so its record
    /// carries the channel SENT (for a plan that came through that front door).
    func journalpost(_ stored: StoredPlan, sendsStatus frontDoor: PlanSubmission.FrontDoor?) async throws -> String {
        let uuid = stored.uuid
        let recording = frontDoor.map { frontDoor in
            statuses.recording("dokarkiv", for: uuid, frontDoor: frontDoor) { result in
                Self.sent(uuid, journalpostID: try JSONDecoder().decode(Journalpost.self, from: Data(result.utf8)).journalpostId)
            }
        }
        return try await steps.once("dokarkiv", for: uuid, recorded: stored.steps, recording: recording) {
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
            return Journalpost(journalpostId: receipt.journalpostID)
        }.journalpostId
    }

    /// The Modia task (docs/contracts/modia-topic.md), keyed by the plan uuid, acknowledged
    /// before it counts as done; its record carries the channel SENT.
    func modiaTask(_ stored: StoredPlan, journalpostID: String, frontDoor: PlanSubmission.FrontDoor) async throws {
        struct Recorded: Codable, Sendable {
            var partition: Int32
            var offset: Int64
        }
        let uuid = stored.uuid
        let recording = statuses.recording("modia", for: uuid, frontDoor: frontDoor) { _ in Self.sent(uuid, journalpostID: journalpostID) }
        _ = try await steps.once("modia", for: uuid, recorded: stored.steps, recording: recording) {
            let task = ModiaTask(
                uuid: stored.uuid.lowercasedString, fodselsnummer: stored.plan.employeeIdentificationNumber,
                virksomhetsnummer: stored.employerOrgNumber, behovForBistandFraNav: true, opprettet: Self.osloEpochDay())
            let report = try await producer.send(
                topic: topics.modiaTask, key: Array(stored.uuid.lowercasedString.utf8), value: Array(try ContractJSONEncoder.data(task)))
            return Recorded(partition: report.partition, offset: report.offset)
        }
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
