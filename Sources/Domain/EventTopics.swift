/// The Kafka topics the service reads and writes, by role in the pipeline.
///
/// Events on our own topics carry identifiers and routing facts, never the plan text (a
/// follow-up plan holds health-adjacent personal data; its body stays in PostgreSQL).
public enum EventTopics {
    /// Written by the outbox relay for every stored plan; read by the lookup role.
    public static let received = "followupplan.received"
    /// The lookup role's positive verdicts, read by the router. (A rejection is only a status
    /// event: nothing else needs it.)
    public static let verified = "followupplan.verified"
    /// Work for the NAV channel and the GP (fastlege) channel workers.
    public static let navChannel = "followupplan.channel.nav"
    public static let gpChannel = "followupplan.channel.gp"
    /// Status events from every role; the status updater is their only consumer.
    public static let status = "followupplan.status"
    /// Messages no role could handle, with the reason in headers; re-driven by `mottak dlq`.
    public static let deadLetter = "followupplan.dlq"
    /// The event front door (public contract, versioned): plans published by upstream intake
    /// systems. The only topic of ours that carries plan text: short retention, named writers.
    public static let submitted = "followupplan.submitted.v1"
    /// Public status events of the plans that came through the event front door, for their
    /// publishers to follow (public contract, versioned).
    public static let publicStatus = "followupplan.status.v1"
    /// Owned by team sykmelding: sick-leave notes sent to employers (sendt sykmelding).
    public static let sendtSykmelding = "teamsykmelding.syfo-sendt-sykmelding"
    /// Owned by team-esyfo: a task for a NAV caseworker in Modia when the employer asks for help.
    public static let modiaTask = "team-esyfo.aapen-syfo-oppfolgingsplan-lps-nav-v2"
}
