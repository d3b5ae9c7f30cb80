import ArgumentParser
import Domain
import Foundation
import Kafka
import LocalStandIns
import Logging
import MottakApp
import MottakDev
import Storage
import Submissions

/// `mottak-dev bench-statement`: the intake's insert statement for a plan, as a pgbench script
/// (values as literals, a new uuid per run), so the benchmark compares like with like.
struct DevBenchStatement: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-statement",
        abstract: "Print the intake's insert statement for a plan as a pgbench script (used by make bench-intake).",
        shouldDisplay: false)

    @Option(help: "A follow-up plan as the intake receives it (JSON).")
    var body: String

    @Option(help: "The employer's organisation number.")
    var org = "123456789"

    func run() async throws {
        let plan = try FollowUpPlanDTO.decode(from: try Data(contentsOf: URL(fileURLWithPath: body)))
        let submission = PlanSubmission(plan: plan, employerOrgNumber: org, lpsOrgNumber: org, frontDoor: .http)
        print(SubmissionStore.benchmarkStatement(submission) + ";")
    }
}
