import Domain
import Foundation
import NIOCore

/// One row of the old service's `FOLLOW_UP_PLAN_LPS_V1` (its Flyway V11 + V14), as read:
/// times are its Oslo wall-clock `TIMESTAMP`s as text (`2024-05-02T10:11:12.345678`), so that
/// no microsecond is lost on the way; the target turns them into instants.
struct LegacyApiPlan: LegacyRow {
    var uuid: UUID
    var organizationNumber: String
    var plan: FollowUpPlanDTO?
    /// The raw evaluation date, for the refusal when it is not a date our schema takes.
    var evaluationDateText: String
    var lpsNameMissing: Bool
    var pdf: ByteBuffer?
    var sentToNavAt: String?
    var sentToGeneralPractitionerAt: String?
    var sendToGeneralPractitionerRetryCount: Int
    var journalpostID: String?
    var lpsOrgNumber: String?
    var createdAt: String
    var lastUpdatedAt: String
    /// The source row's fingerprint (``LegacySource``): which version of the row this is.
    var fingerprint: String

    var sendPlanToNav: Bool { plan?.sendPlanToNav ?? false }

    /// Why the row cannot become a plan here, or nil. Each reason names the column and the rule
    /// (the old service's own validation, which our schema holds as constraints); the row is
    /// then reported and skipped, never changed to fit.
    var refusal: String? {
        if !FollowUpPlanValidation.isOrganisationNumber(organizationNumber) { return "organization_number is not 9 digits" }
        guard let lpsOrgNumber, FollowUpPlanValidation.isOrganisationNumber(lpsOrgNumber) else {
            return "lps_orgnumber is missing or not 9 digits"
        }
        if lpsNameMissing { return "lps_name is missing (the contract requires lpsName)" }
        guard let plan else { return "evaluation_date \(evaluationDateText) is not a calendar date" }
        if let violation = FollowUpPlanValidation.firstViolation(of: plan) { return "breaks the contract: \(violation.message)" }
        if let pdf, !LegacyPdf.isPdf(pdf) { return "pdf is not a PDF document (it does not begin with %PDF-)" }
        return nil
    }

    /// The plan's status here: what the old service's status answer said
    /// (`isSentTo…Status` = `sent_to_…_at IS NOT NULL`), final.
    var status: LegacyStatus {
        LegacyStatus(
            nav: .init(sentAt: sentToNavAt, requested: sendPlanToNav),
            generalPractitioner: .init(
                sentAt: sentToGeneralPractitionerAt, requested: plan?.sendPlanToGeneralPractitioner ?? false,
                retries: sendToGeneralPractitionerRetryCount),
            lastUpdatedAt: lastUpdatedAt)
    }
}

/// A legacy plan's `plan_status` row: every channel settled, as the old service left it.
struct LegacyStatus: Sendable, Equatable {
    struct Channel: Sendable, Equatable {
        var state: ChannelState
        /// When it was sent (the old `sent_to_…_at`), else the row's last change.
        var updatedAt: String?
        var attempts: Int
        var error: ApiError?

        /// SENT when the old service recorded a sending time (whatever the request flag said:
        /// its answer showed `true`); else FAILED when it was requested; else NOT_REQUESTED.
        init(sentAt: String?, requested: Bool, retries: Int = 0, failure: ApiError? = nil) {
            if let sentAt {
                (state, updatedAt, attempts, error) = (.sent, sentAt, 1 + max(retries, 0), nil)
            } else if requested {
                (state, updatedAt, attempts, error) = (.failed, nil, 1 + max(retries, 0), failure)
            } else {
                (state, updatedAt, attempts, error) = (.notRequested, nil, 0, nil)
            }
        }
    }

    var nav: Channel
    var generalPractitioner: Channel
    var state: PlanState
    var error: ApiError?

    init(nav: Channel, generalPractitioner: Channel, lastUpdatedAt: String) {
        var nav = nav
        var generalPractitioner = generalPractitioner
        if nav.state == .failed { (nav.error, nav.updatedAt) = (PublicProblems.previousServiceDidNotDeliverToNav, lastUpdatedAt) }
        if generalPractitioner.state == .failed {
            (generalPractitioner.error, generalPractitioner.updatedAt) = (
                PublicProblems.previousServiceDidNotDeliverToGeneralPractitioner, lastUpdatedAt
            )
        }
        self.nav = nav
        self.generalPractitioner = generalPractitioner
        // As the status updater settles a plan: COMPLETED when a channel got it or none was
        // asked for, FAILED when every requested channel failed.
        let states = [nav.state, generalPractitioner.state]
        if states.contains(.sent) || states.allSatisfy({ $0 == .notRequested }) {
            (state, error) = (.completed, nil)
        } else {
            (state, error) = (.failed, PublicProblems.previousServiceDidNotDeliver)
        }
    }
}

/// What the import asks of a row of either table.
protocol LegacyRow: Sendable {
    var uuid: UUID { get }
    var pdf: ByteBuffer? { get }
    /// Why the row cannot be brought over, or nil.
    var refusal: String? { get }
}

enum LegacyPdf {
    /// What our `plan_pdf` and `legacy_altinn_plan` take: a non-empty document that begins `%PDF-`.
    static func isPdf(_ pdf: ByteBuffer) -> Bool {
        pdf.readableBytes >= 5 && pdf.getBytes(at: pdf.readerIndex, length: 5) == Array("%PDF-".utf8)
    }
}
