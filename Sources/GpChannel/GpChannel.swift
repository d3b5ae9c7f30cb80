/// The GP (fastlege) channel: sends the plan's PDF to the employee's general practitioner
/// through isdialogmelding. A 404 (no GP, or one that cannot receive messages) is final:
/// GENERAL_PRACTITIONER_NOT_FOUND, no retry; a 5xx or timeout is retried.
/// ``GpChannelHandler`` handles one `followupplan.channel.gp` event.
public enum GpChannel {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-gp-channel"
}
