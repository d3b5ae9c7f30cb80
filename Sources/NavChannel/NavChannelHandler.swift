import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import Metrics
import NavClients
import PlanPdf
import Storage

/// Delivers one plan to NAV. Each side effect is recorded per plan (`processed_step`), so a
/// redelivered message repeats none: `dokarkiv` (with the journalpost id) and `modia`.
public struct NavChannelHandler: Sendable {
    let plans: PlanPdfStore
    let steps: ProcessedSteps
    let pdfs: PlanPdfBuilder
    let ereg: EregClient
    let dokarkiv: DokarkivClient
    let producer: KafkaProducer
    let topics: EventTopics
    /// `mottak_dokarkiv_not_finalised_total`: journal posts dokarkiv made but did not finish.
    let notFinalised: Counter
    let logger: Logger

    public init(
        plans: PlanPdfStore, steps: ProcessedSteps, pdfs: PlanPdfBuilder, ereg: EregClient, dokarkiv: DokarkivClient, producer: KafkaProducer,
        topics: EventTopics, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
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
        let journalpostID = try await journalpost(stored)
        if stored.plan.sendPlanToNav && stored.plan.needsHelpFromNav == true {
            try await modiaTask(stored)
        }
        let status = StatusStepEvent(uuid: stored.uuid, kind: .channelSent, channel: .nav, journalpostID: journalpostID)
        try await producer.publish(status, to: topics, causedBy: message)
        logger.info("plan delivered to NAV", metadata: ["plan_uuid": "\(stored.uuid.lowercasedString)", "journalpost_id": "\(journalpostID)"])
    }

    func journalpost(_ stored: StoredPlan) async throws -> String {
        struct Recorded: Codable, Sendable { var journalpostId: String }
        return try await steps.once("dokarkiv", for: stored.uuid, recorded: stored.steps) {
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
            return Recorded(journalpostId: receipt.journalpostID)
        }.journalpostId
    }

    /// The Modia task (docs/contracts/modia-topic.md), keyed by the plan uuid, acknowledged
    /// before it counts as done.
    func modiaTask(_ stored: StoredPlan) async throws {
        struct Recorded: Codable, Sendable {
            var partition: Int32
            var offset: Int64
        }
        _ = try await steps.once("modia", for: stored.uuid, recorded: stored.steps) {
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
