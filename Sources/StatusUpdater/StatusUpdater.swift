/// The status updater: the only writer of `plan_status` after the intake created the row. It
/// consumes `followupplan.status`, never moves a state backwards (``PlanStatusStore``), and
/// NOTIFYs waiting requests after each change. ``StatusUpdateHandler`` handles one event.
public enum StatusUpdater {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-status-updater"
}
