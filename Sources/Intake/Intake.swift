/// The intake: the HTTP front door for LPS systems (and, with issue #9, the event front door for
/// upstream intake systems). It authenticates, validates, and stores the plan, its RECEIVED
/// status row and an outbox event in one PostgreSQL statement; it never talks to Kafka on the
/// request path (the outbox relay does).
public enum Intake {
    /// The consumer group of the event front door (`followupplan.submitted.v1`, issue #9).
    public static let consumerGroup = "oppfolgingsplan-mottak-event-intake"

    /// Bodies above this size are refused with 413 before they are read to the end.
    public static let maximumBodySize = 1 << 20
}
