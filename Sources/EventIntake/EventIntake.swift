/// The event front door: upstream intake systems (NAV's Altinn channel once delivered plans
/// this way) publish plans on `followupplan.submitted.v1` instead of calling the HTTP API.
///
/// One core, two adapters: a submission event is read with the HTTP intake's decoder and
/// validation rules (`Domain`), stored by the same one-statement insert (`PlanStore`: plan,
/// RECEIVED status row, `followupplan.received` outbox row), and followed by the same
/// pipeline and status table. Its publisher follows it on `followupplan.status.v1`.
public enum EventIntake {
    public static let consumerGroup = "oppfolgingsplan-mottak-event-intake"
}
