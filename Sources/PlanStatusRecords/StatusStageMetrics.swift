import Domain
import Foundation
import Metrics

/// Per status change: `mottak_plan_stage_seconds{stage}`, the time from the plan's receipt to
/// the stage (`verified`, `rejected`, `nav_done`, `gp_done`, `final`), and at a final state
/// `mottak_plans_total{outcome, error_type}`. Recorded by whoever made the change: a role
/// writing its own outcome, or the status updater.
public struct StatusStageMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public func record(_ event: StatusStepEvent, _ change: StatusTransitions.Change) {
        let sinceReceived = Duration.seconds(max(0, Date().timeIntervalSince(change.receivedAt)))
        func stage(_ name: String) {
            Timer(label: "mottak_plan_stage_seconds", dimensions: [("stage", name)], preferredDisplayUnit: .seconds, factory: factory)
                .record(duration: sinceReceived)
        }
        switch event.kind {
        case .verified: stage("verified")
        case .rejected: stage("rejected")
        case .channelSent, .channelFailed: stage(event.channel == .generalPractitioner ? "gp_done" : "nav_done")
        case .failed, .channelRetrying, .reopened, .waiting: break
        }
        guard change.state.isFinal, event.kind != .reopened else { return }
        stage("final")
        Counter(
            label: "mottak_plans_total", dimensions: [("outcome", change.state.rawValue), ("error_type", change.errorType?.rawValue ?? "")],
            factory: factory
        ).increment()
    }
}
