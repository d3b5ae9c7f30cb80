/// The contract's validation rules for a submitted plan (domain-reference.md section 2), in
/// its order, with its exact messages: the first failing rule is the answer.
///
/// "Blank" means what Kotlin's `isBlank` means: empty, or white space only.
public enum FollowUpPlanValidation {
    static let helpNeedsNav = "needsHelpFromNav cannot be true if sendPlanToNav is false"
    static let helpNeedsDescription = "needsHelpFromNavDescription is obligatory if needsHelpFromNav is true"
    static let notContributedNeedsDescription = "employeeHasNotContributedToPlanDescription is mandatory if employeeHasContributedToPlan = false"
    static let contributedTakesNoDescription = "employeeHasNotContributedToPlanDescription should not be set if employeeHasContributedToPlan = true"
    static let invalidIdentificationNumber = "Invalid employee identification number"

    /// The rules' messages, in the contract's order (part of ``PublicProblems/catalogue``).
    public static let messages = [
        helpNeedsNav, helpNeedsDescription, notContributedNeedsDescription, contributedTakesNoDescription, invalidIdentificationNumber,
    ]

    public static func firstViolation(of plan: FollowUpPlanDTO) -> ApiError? {
        if plan.needsHelpFromNav == true && !plan.sendPlanToNav { return .validation(helpNeedsNav) }
        if plan.needsHelpFromNav == true && isBlank(plan.needsHelpFromNavDescription) { return .validation(helpNeedsDescription) }
        if !plan.employeeHasContributedToPlan && isBlank(plan.employeeHasNotContributedToPlanDescription) {
            return .validation(notContributedNeedsDescription)
        }
        // Here, unlike rules 2 and 3, white space counts as set; only "" (or null) is allowed.
        if plan.employeeHasContributedToPlan, let description = plan.employeeHasNotContributedToPlanDescription, !description.isEmpty {
            return .validation(contributedTakesNoDescription)
        }
        if !isIdentificationNumber(plan.employeeIdentificationNumber) { return .validation(invalidIdentificationNumber) }
        return nil
    }

    /// Exactly eleven ASCII digits (fødselsnummer or D-number; no checksum, as in the contract).
    public static func isIdentificationNumber(_ text: String) -> Bool { isDigits(text, count: 11) }

    /// Exactly nine ASCII digits, as the schema's organisation number columns take.
    public static func isOrganisationNumber(_ text: String) -> Bool { isDigits(text, count: 9) }

    private static func isDigits(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    static func isBlank(_ text: String?) -> Bool {
        text?.unicodeScalars.allSatisfy(\.properties.isWhitespace) ?? true
    }
}
