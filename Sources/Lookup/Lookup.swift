import Domain
import EventProcessing
import NavClients
import PlanPdf
import PlanStatusRecords
import Storage

/// The lookup role: for each `followupplan.received` event, checks in the contract's order
/// (domain-reference.md section 2, rules 7-9) the employment (Aareg), an active sykmelding sent
/// to the employer, and that the person exists (PDL), and reports the verdict: a verified plan
/// has its PDF built (once, for both channels) and goes on to its channels' topics (`followupplan.channel.nav`, `.gp`), and the plan's status
/// says IN_PROGRESS or REJECTED (written with the verdict's record, in one statement).
///
/// A dependency outage is not a verdict: the message is retried, then dead-lettered with the
/// plan FAILED. The verdict is recorded per plan (`processed_step`), so a redelivered message
/// repeats the same verdict even if the registers changed meanwhile.
public enum Lookup {
    /// Its Kafka consumer group; KEDA scales the role on this group's lag.
    public static let consumerGroup = "oppfolgingsplan-mottak-lookup"

    /// The dev test identities that skip the three checks when the dev flag is on
    /// (domain-reference.md 2, rule 6; also in NAV's README as "Test users").
    public static let devTestIdentities: Set<String> = ["05908399546", "01898299631"]
}

extension Lookup {
    /// The role: `followupplan.received` in, a verdict out; a dead letter FAILs the plan (no
    /// channel can be chosen without a verdict).
    public static func role(
        _ context: RoleContext, aareg: AaregClient, pdl: PdlClient, pdfs: PlanPdfBuilder, devIdentitiesSkipChecks: Bool
    ) -> ConsumingRole {
        let (postgres, logger) = (context.postgres, context.logger)
        let handler = LookupHandler(
            checks: LookupChecks(aareg: aareg, sykmeldinger: ActiveSykmeldinger(postgres: postgres, logger: logger), pdl: pdl),
            postgres: postgres, steps: ProcessedSteps(postgres: postgres, logger: logger),
            statuses: StatusTransitions(postgres: postgres, topics: context.topics, metricsFactory: context.metricsFactory, logger: logger),
            producer: context.producer, topics: context.topics, pdfs: pdfs, devIdentitiesSkipChecks: devIdentitiesSkipChecks, logger: logger)
        return ConsumingRole(
            context, consumerGroup: consumerGroup, topic: context.topics.received, deadLettering: .planFailed, callsNavApis: true,
            handler: handler.handle)
    }
}
