import Domain
import EventProcessing
import NavClients
import PlanPdf
import PlanStatusRecords
import Storage

/// The NAV channel: journals the plan's PDF in dokarkiv (`eksternReferanseId` = plan uuid; a 409
/// means it is journalled already) with the employer's name from Ereg, and, when the employer
/// asked for help, puts a task for a NAV caseworker on the Modia topic and waits for the
/// broker's acknowledgement. The channel is SENT only when all of that succeeded.
/// ``NavChannelHandler`` handles one `followupplan.channel.nav` event.
public enum NavChannel {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-nav-channel"
}

extension NavChannel {
    /// The role: `followupplan.channel.nav` in; a dead letter FAILs the NAV channel only.
    public static func role(_ context: RoleContext, pdfs: PlanPdfBuilder, ereg: EregClient, dokarkiv: DokarkivClient) -> ConsumingRole {
        let (postgres, logger) = (context.postgres, context.logger)
        let handler = NavChannelHandler(
            plans: PlanPdfStore(postgres: postgres, logger: logger), steps: ProcessedSteps(postgres: postgres, logger: logger),
            statuses: StatusTransitions(postgres: postgres, topics: context.topics, metricsFactory: context.metricsFactory, logger: logger),
            pdfs: pdfs, ereg: ereg, dokarkiv: dokarkiv, producer: context.producer, topics: context.topics,
            metricsFactory: context.metricsFactory, logger: logger)
        return ConsumingRole(
            context, consumerGroup: consumerGroup, topic: context.topics.navChannel, deadLettering: .channelFailed(.nav), callsNavApis: true,
            handler: handler.handle)
    }
}
