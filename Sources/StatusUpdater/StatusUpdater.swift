/// The status updater: the only writer of `plan_status` after the intake created the row. It
/// consumes `followupplan.status`, never moves a state backwards, and NOTIFYs waiting requests.
///
/// Not built yet: issue #5 fills this module.
public enum StatusUpdater {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-status-updater"
}
