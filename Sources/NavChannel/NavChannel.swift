/// The NAV channel: journals the plan's PDF in dokarkiv (`eksternReferanseId` = plan uuid; a 409
/// means it is journalled already) with the employer's name from Ereg, and, when the employer
/// asked for help, puts a task for a NAV caseworker on the Modia topic and waits for the
/// broker's acknowledgement. The channel is SENT only when all of that succeeded.
/// ``NavChannelHandler`` handles one `followupplan.channel.nav` event.
public enum NavChannel {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-nav-channel"
}
