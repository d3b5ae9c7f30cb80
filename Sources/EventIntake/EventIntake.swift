import Domain
import EventProcessing
import Submissions

/// The event front door: upstream intake systems (NAV's Altinn channel once delivered plans
/// this way) publish plans on `followupplan.submitted.v1` instead of calling the HTTP API.
///
/// One core, two adapters: a submission event is read with the HTTP intake's decoder and
/// validation rules (`Domain`), stored by the same one-statement insert (`SubmissionStore`: plan,
/// RECEIVED status row, `followupplan.received` outbox row), and followed by the same
/// pipeline and status table. Its publisher follows it on `followupplan.status.v1`.
public enum EventIntake {
    public static let consumerGroup = "oppfolgingsplan-mottak-event-intake"
}

extension EventIntake {
    /// The role: `followupplan.submitted.v1` in, stored as the HTTP intake stores; it answers
    /// its publisher itself, so its dead letters change no status.
    public static func role(_ context: RoleContext) -> ConsumingRole {
        let handler = EventIntakeHandler(
            store: SubmissionStore(postgres: context.postgres, topics: context.topics, logger: context.logger), producer: context.producer,
            topics: context.topics, logger: context.logger)
        return ConsumingRole(context, consumerGroup: consumerGroup, topic: context.topics.submitted, handler: handler.handle)
    }
}
