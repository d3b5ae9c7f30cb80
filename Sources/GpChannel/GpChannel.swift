/// The GP channel worker: sends the plan's PDF to the employee's general practitioner
/// (fastlege) through isdialogmelding.
///
/// Not built yet: issue #5 fills this module.
public enum GpChannel {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-gp-channel"
}
