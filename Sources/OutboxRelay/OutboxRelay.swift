/// The outbox relay: publishes rows of the `outbox` table to Kafka, and marks a row published
/// only after the broker acknowledged it. Kafka down means rows wait; none is lost.
/// ``OutboxRelayService`` is the role.
public enum OutboxRelay {}
