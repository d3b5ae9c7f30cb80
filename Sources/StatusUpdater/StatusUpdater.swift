import Domain
import EventProcessing
import PlanStatusRecords
import Storage

/// The status updater: the only writer of `plan_status` after the intake created the row. It
/// consumes `followupplan.status`, never moves a state backwards (``StatusTransitions``), and
/// NOTIFYs waiting requests after each change. ``StatusUpdateHandler`` handles one event.
public enum StatusUpdater {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-status-updater"
}

extension StatusUpdater {
    /// The role: `followupplan.status` in, `plan_status` changed; its dead letters change no status.
    public static func role(_ context: RoleContext, batch: Int) -> ConsumingRole {
        let handler = StatusUpdateHandler(
            store: StatusTransitions(postgres: context.postgres, topics: context.topics, logger: context.logger), batch: batch,
            metricsFactory: context.metricsFactory, logger: context.logger)
        return ConsumingRole(context, consumerGroup: consumerGroup, topic: context.topics.status, handler: handler.handle)
    }
}
