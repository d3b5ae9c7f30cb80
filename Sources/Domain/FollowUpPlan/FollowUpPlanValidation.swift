/// The contract's validation rules for a submitted plan (domain-reference.md section 2), in
/// its order, with its exact messages: the first failing rule is the answer.
///
/// "Blank" means what Kotlin's `isBlank` means: empty, or white space only.
public enum FollowUpPlanValidation {
    public static func firstViolation(of plan: FollowUpPlanDTO) -> ApiError? {
        if plan.needsHelpFromNav == true && !plan.sendPlanToNav {
            return .validation("needsHelpFromNav cannot be true if sendPlanToNav is false")
        }
        if plan.needsHelpFromNav == true && isBlank(plan.needsHelpFromNavDescription) {
            return .validation("needsHelpFromNavDescription is obligatory if needsHelpFromNav is true")
        }
        if !plan.employeeHasContributedToPlan && isBlank(plan.employeeHasNotContributedToPlanDescription) {
            return .validation("employeeHasNotContributedToPlanDescription is mandatory if employeeHasContributedToPlan = false")
        }
        // Here, unlike rules 2 and 3, white space counts as set; only "" (or null) is allowed.
        if plan.employeeHasContributedToPlan, let description = plan.employeeHasNotContributedToPlanDescription, !description.isEmpty {
            return .validation("employeeHasNotContributedToPlanDescription should not be set if employeeHasContributedToPlan = true")
        }
        if !isIdentificationNumber(plan.employeeIdentificationNumber) {
            return .validation("Invalid employee identification number")
        }
        return nil
    }

    /// Exactly eleven ASCII digits (fødselsnummer or D-number; no checksum, as in the contract).
    public static func isIdentificationNumber(_ text: String) -> Bool {
        text.utf8.count == 11 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    static func isBlank(_ text: String?) -> Bool {
        text?.unicodeScalars.allSatisfy(\.properties.isWhitespace) ?? true
    }
}
