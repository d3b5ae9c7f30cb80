import Domain
import Foundation
import Kafka

/// A dead letter put back on its topic by `mottak dlq redrive` carries ``header`` (the letter's
/// place on the dead-letter topic). The role that handles it first reopens the plan's status
/// (undoes the FAILED its dead-lettering recorded), written before the handler runs, so the
/// outcome the handler writes finds the step pending again; a resend that never reached Kafka
/// reopens nothing.
public enum Redriven {
    public static let header = "redriven-from"

    /// `handler`, preceded for a re-driven message by a ``StatusStepEvent/Kind/reopened`` for
    /// `channel` (nil: the plan, for the lookup and the router). Handled again (a retry, a
    /// redelivery), the reopening is a no-op: only a re-drivable failure is reopened.
    public static func reopening(
        _ channel: DeliveryChannel?, status: @escaping StatusSink, _ handler: @escaping ConsumerRoleService.Handler
    ) -> ConsumerRoleService.Handler {
        { message in
            if message.header(header) != nil, let uuid = StatusStepReports.planUUID(message) {
                try await status(StatusStepEvent(uuid: uuid, kind: .reopened, channel: channel))
            }
            try await handler(message)
        }
    }
}
