import Domain
import Foundation
import NIOCore

/// One row of the old service's `ALTINN_LPS` (its Flyway V9 + V15): a plan that came through
/// the Altinn channel, with its PDF and XML and the old service's flags. Kept as it is in
/// `legacy_altinn_plan`; times as in ``LegacyApiPlan``.
struct LegacyAltinnPlan: LegacyRow {
    var uuid: UUID
    var lpsFnr: String
    var fnr: String?
    var orgnummer: String
    var pdf: ByteBuffer?
    var xml: String
    var shouldSendToNav: Bool
    var shouldSendToFastlege: Bool
    var sentToNav: Bool
    var sentToFastlege: Bool
    var sendToFastlegeRetryCount: Int
    var journalpostID: String?
    var archiveReference: String?
    var created: String
    var lastChanged: String
    var migrated: Bool
    var skipRetry: Bool?
    var fingerprint: String

    /// Why the row cannot be kept here, or nil: a case worker finds a plan by the person's
    /// identity number, and opens its PDF.
    var refusal: String? {
        if !FollowUpPlanValidation.isIdentificationNumber(lpsFnr) { return "lps_fnr is not 11 digits" }
        if !FollowUpPlanValidation.isOrganisationNumber(orgnummer) { return "orgnummer is not 9 digits" }
        if let pdf, !LegacyPdf.isPdf(pdf) { return "pdf is not a PDF document (it does not begin with %PDF-)" }
        return nil
    }
}
