import Domain
import Foundation
import Kafka

/// How a role's status changes reach the plan's status row: since #28 written directly
/// (`PlanStatusRecords.StatusTransitions.applyOutcome`, wired by the application), before that
/// published to `followupplan.status` for the status updater. This module knows only the shape.
public typealias StatusSink = @Sendable (StatusStepEvent) async throws -> Void

/// The status changes of the loop itself: a plan's message dead-lettered (the plan, or the
/// channel, is FAILED, so that nobody waits for it in vain), parked (it waits for NAV). The
/// message key is the plan uuid. What the status says is a catalogue text
/// (``Domain/PublicProblems``); the reason, which names hosts, URLs and error descriptions, stays
/// in the dead letter's `dlq-reason` header and the log.
public enum StatusStepReports {
    /// A step the plan cannot go on without gave up: the plan is FAILED.
    public static func send(for message: KafkaMessage, reason: DeadLetterReason, to status: StatusSink) async throws {
        guard let uuid = planUUID(message) else { return }
        try await status(statusEvent(uuid, channel: nil, reason: reason))
    }

    /// A channel worker gave up: that channel FAILED (the plan settles when no channel is pending).
    public static func sendChannelFailed(_ channel: DeliveryChannel, for message: KafkaMessage, reason: DeadLetterReason, to status: StatusSink)
        async throws
    {
        guard let uuid = planUUID(message) else { return }
        try await status(statusEvent(uuid, channel: channel, reason: reason))
    }

    /// A step of the plan (`channel`'s, or the lookup's when nil) waits for a NAV API that is down.
    public static func sendWaiting(_ channel: DeliveryChannel?, for message: KafkaMessage, to status: StatusSink) async throws {
        guard let uuid = planUUID(message) else { return }
        try await status(StatusStepEvent(uuid: uuid, kind: .waiting, channel: channel))
    }

    /// The status event for a dead letter: the same catalogue text whatever the `reason`.
    public static func statusEvent(_ uuid: UUID, channel: DeliveryChannel?, reason: DeadLetterReason) -> StatusStepEvent {
        switch channel {
        case nil: StatusStepEvent(uuid: uuid, kind: .failed, error: .init(PublicProblems.planFailed))
        case .nav: StatusStepEvent(uuid: uuid, kind: .channelFailed, channel: .nav, error: .init(PublicProblems.navDeliveryFailed))
        case .generalPractitioner:
            StatusStepEvent(
                uuid: uuid, kind: .channelFailed, channel: .generalPractitioner, error: .init(PublicProblems.generalPractitionerDeliveryFailed))
        }
    }

    static func planUUID(_ message: KafkaMessage) -> UUID? {
        message.key.flatMap { UUID(uuidString: String(decoding: $0, as: UTF8.self)) }
    }
}
