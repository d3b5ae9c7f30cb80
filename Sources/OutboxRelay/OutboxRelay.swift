/// The outbox relay: publishes rows of the `outbox` table to Kafka in order, and marks a row
/// published only after the broker acknowledged it. Kafka down means rows wait; none is lost.
///
/// Not built yet: issue #4 fills this module.
public enum OutboxRelay {}
