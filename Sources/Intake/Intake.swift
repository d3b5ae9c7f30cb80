/// The intake: the HTTP front door for LPS systems (and, later, the event front door for
/// upstream intake systems). It validates a plan and stores the plan, its RECEIVED status row
/// and an outbox event in one PostgreSQL transaction; it never talks to Kafka on the request path.
///
/// Not built yet: issue #4 (HTTP) and issue #9 (events) fill this module.
public enum Intake {
    /// The consumer group of the event front door (`followupplan.submitted.v1`).
    public static let consumerGroup = "oppfolgingsplan-mottak-event-intake"
}
