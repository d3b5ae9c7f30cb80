import Domain
import Foundation
import Logging
import Metrics
import NavClients
import Storage

/// The plan's PDF, built once and stored (`plan_pdf`), so the NAV channel and the GP channel
/// send the same document and a redelivered message does not build it again.
///
/// Contents as the existing service sends them to syfooppdfgen (domain-reference.md 4.5): the
/// employee's name and address from PDL (the address left out when it is protected), phone and
/// e-mail from KRR, and the plan's fields; dates in Norwegian (`15. januar 2027`) whatever the
/// machine's locale.
///
/// KRR only adds the employee's phone and e-mail. When it cannot answer after a short bounded
/// retry, the PDF is built without them, as the existing service does, logged and counted
/// (`mottak_pdf_without_contact_details_total`), rather than holding both channels on KRR.
public struct PlanPdfBuilder: Sendable {
    let plans: PlanPdfStore
    let pdl: PdlClient
    let krr: KrrClient
    let pdfgen: PdfGenClient
    /// Attempts at KRR before the PDF goes without contact details, and the pause between them.
    let krrAttempts: Int
    let krrPause: Duration
    let withoutContactDetails: Counter
    let logger: Logger

    public init(
        plans: PlanPdfStore, pdl: PdlClient, krr: KrrClient, pdfgen: PdfGenClient, krrAttempts: Int = 2, krrPause: Duration = .milliseconds(300),
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger = Logger(label: "mottak.pdf")
    ) {
        self.plans = plans
        self.pdl = pdl
        self.krr = krr
        self.pdfgen = pdfgen
        self.krrAttempts = max(krrAttempts, 1)
        self.krrPause = krrPause
        self.withoutContactDetails = Counter(label: "mottak_pdf_without_contact_details_total", factory: metricsFactory)
        self.logger = logger
    }

    /// The plan's PDF: the one read with the plan, else the one built now (or by the plan's
    /// other channel meanwhile).
    public func pdf(for stored: StoredPlan) async throws -> [UInt8] {
        if let pdf = stored.pdf { return pdf }
        // Both channels of a plan may get here at once: the second waits and finds the first's PDF.
        return try await plans.pdfBuiltOnce(stored.uuid) { try await render(stored) }
    }

    /// Builds and stores the PDF of `stored` (as the lookup read it) before the plan goes to its
    /// channels (#28), unless one was stored: then neither channel builds it, takes its lease or waits for the
    /// other (at NAV's latencies the waiting channel looked for it four times per plan). No
    /// lease: the lookup is the one builder of a plan, and should another build at the same
    /// moment (an older version's channel during a rollout), the first PDF stored is the one
    /// both channels send. A failure is the caller's to judge.
    public func buildBeforeFanOut(_ stored: StoredPlan) async throws {
        guard stored.pdf == nil else { return }
        _ = try await plans.storePDF(try await render(stored), for: stored.uuid)
    }

    /// The PDF of `stored`, rendered now: PDL and KRR at once, then pdfgen. `person` is what PDL
    /// said of the employee when the caller asked already (the lookup's check that the person
    /// exists): then PDL is not asked again.
    public func render(_ stored: StoredPlan, person known: PdlClient.PersonDetails? = nil) async throws -> [UInt8] {
        let employee = stored.plan.employeeIdentificationNumber
        async let contact = contactDetails(employee, plan: stored.uuid)
        let person = if let known { known } else { try await pdl.personDetails(employee) }
        let data = LpsPlanData(stored.plan, person: person, contact: await contact)
        return try await pdfgen.render(data)
    }

    /// KRR's contact details, or none once KRR failed `krrAttempts` times.
    func contactDetails(_ employee: String, plan: UUID) async -> KrrClient.Contact {
        var attempt = 1
        while true {
            do {
                return try await krr.contact(employee)
            } catch {
                guard attempt < krrAttempts, !Task.isCancelled else {
                    withoutContactDetails.increment()
                    logger.warning(
                        "KRR did not answer; the PDF goes without the employee's phone and e-mail",
                        metadata: ["plan_uuid": "\(plan.lowercasedString)", "error": "\(error)", "attempts": "\(attempt)"])
                    return KrrClient.Contact()
                }
                attempt += 1
                try? await Task.sleep(for: krrPause)
            }
        }
    }
}
