import Domain
import EventProcessing
import NavClients
import PlanPdf
import PlanStatusRecords
import Storage

/// The GP (fastlege) channel: sends the plan's PDF to the employee's general practitioner
/// through isdialogmelding. A 404 (no GP, or one that cannot receive messages) is final:
/// GENERAL_PRACTITIONER_NOT_FOUND, no retry; a 5xx or timeout is retried.
/// ``GpChannelHandler`` handles one `followupplan.channel.gp` event.
public enum GpChannel {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-gp-channel"
}

extension GpChannel {
    /// The role: `followupplan.channel.gp` in; a dead letter FAILs the GP channel only.
    public static func role(_ context: RoleContext, pdfs: PlanPdfBuilder, isdialogmelding: IsdialogmeldingClient) -> ConsumingRole {
        let (postgres, logger) = (context.postgres, context.logger)
        let handler = GpChannelHandler(
            plans: PlanPdfStore(postgres: postgres, logger: logger), steps: ProcessedSteps(postgres: postgres, logger: logger),
            statuses: StatusTransitions(postgres: postgres, topics: context.topics, metricsFactory: context.metricsFactory, logger: logger),
            pdfs: pdfs, isdialogmelding: isdialogmelding,
            metricsFactory: context.metricsFactory, logger: logger)
        return ConsumingRole(
            context, consumerGroup: consumerGroup, topic: context.topics.gpChannel, deadLettering: .channelFailed(.generalPractitioner),
            callsNavApis: true, handler: handler.handle)
    }
}
