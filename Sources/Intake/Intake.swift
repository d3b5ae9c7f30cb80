/// The intake: the HTTP front door for LPS systems (the event front door for upstream intake
/// systems is the `EventIntake` module). It authenticates, validates, and stores the plan, its
/// RECEIVED status row and an outbox event in one PostgreSQL statement; it never talks to Kafka
/// on the request path (the outbox relay does).
public enum Intake {
    /// Bodies above this size are refused with 413 before they are read to the end.
    public static let maximumBodySize = 1 << 20
}
