import Domain
import Testing

@Suite(.timeLimit(.minutes(5))) struct FollowUpPlanValidationTests {
    let valid = try! FollowUpPlanDTO.decode(from: FollowUpPlanFixtures.body())

    @Test func aValidPlanPasses() {
        #expect(FollowUpPlanValidation.firstViolation(of: valid) == nil)
    }

    @Test func rule1HelpFromNavNeedsThePlanSentToNav() {
        var plan = valid
        plan.sendPlanToNav = false
        #expect(violation(plan) == "needsHelpFromNav cannot be true if sendPlanToNav is false")
    }

    @Test(arguments: [nil, "", "   ", "\t\n"] as [String?])
    func rule2HelpFromNavNeedsADescription(description: String?) {
        var plan = valid
        plan.needsHelpFromNavDescription = description
        #expect(violation(plan) == "needsHelpFromNavDescription is obligatory if needsHelpFromNav is true")
    }

    @Test func rule2DoesNotApplyWithoutHelpFromNav() {
        var plan = valid
        plan.needsHelpFromNav = false
        plan.needsHelpFromNavDescription = nil
        #expect(violation(plan) == nil)
        plan.needsHelpFromNav = nil
        #expect(violation(plan) == nil)
    }

    @Test(arguments: [nil, "", " "] as [String?])
    func rule3NotContributedNeedsADescription(description: String?) {
        var plan = valid
        plan.employeeHasNotContributedToPlanDescription = description
        #expect(violation(plan) == "employeeHasNotContributedToPlanDescription is mandatory if employeeHasContributedToPlan = false")
    }

    @Test func rule4ContributedForbidsADescriptionEvenWhiteSpaceButAllowsEmpty() {
        var plan = valid
        plan.employeeHasContributedToPlan = true
        plan.employeeHasNotContributedToPlanDescription = " "
        #expect(violation(plan) == "employeeHasNotContributedToPlanDescription should not be set if employeeHasContributedToPlan = true")
        plan.employeeHasNotContributedToPlanDescription = ""
        #expect(violation(plan) == nil)
        plan.employeeHasNotContributedToPlanDescription = nil
        #expect(violation(plan) == nil)
    }

    @Test(arguments: ["1234567891", "123456789101", "1234567891a", " 12345678910", "١٢٣٤٥٦٧٨٩١٠", ""])
    func rule5TheIdentificationNumberIsElevenDigits(number: String) {
        var plan = valid
        plan.employeeIdentificationNumber = number
        #expect(violation(plan) == "Invalid employee identification number")
    }

    @Test func theFirstFailingRuleInTheContractsOrderWins() {
        var plan = valid
        plan.sendPlanToNav = false  // rule 1
        plan.needsHelpFromNavDescription = nil  // rule 2
        plan.employeeIdentificationNumber = "x"  // rule 5
        #expect(violation(plan) == "needsHelpFromNav cannot be true if sendPlanToNav is false")
        plan.sendPlanToNav = true
        #expect(violation(plan) == "needsHelpFromNavDescription is obligatory if needsHelpFromNav is true")
    }

    @Test func violationsAre400ValidationErrors() {
        var plan = valid
        plan.employeeIdentificationNumber = "x"
        let error = FollowUpPlanValidation.firstViolation(of: plan)
        #expect(error?.status == ApiError.Status(value: 400, description: "Bad Request"))
        #expect(error?.type == .validationError)
    }

    private func violation(_ plan: FollowUpPlanDTO) -> String? {
        FollowUpPlanValidation.firstViolation(of: plan)?.message
    }
}
