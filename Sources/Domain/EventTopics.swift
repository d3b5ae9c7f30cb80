/// The names of the Kafka topics the service reads and writes, by role in the pipeline.
///
/// Names come from configuration (`KAFKA_TOPIC_*`, see `docs/configuration.md`): on NAIS a `Topic` named
/// `followupplan-received` in namespace `team-esyfo` is the Kafka topic
/// `team-esyfo.followupplan-received`, while the embedded broker of `mottak-dev` and the tests
/// use the short names of ``local``. Every role is handed one value of this type; no code names
/// a topic itself.
///
/// Events on our own topics carry identifiers and routing facts, never the plan text (a
/// follow-up plan holds health-adjacent personal data; its body stays in PostgreSQL).
public struct EventTopics: Sendable, Equatable {
    /// Written by the outbox relay for every stored plan; read by the lookup role.
    public var received: String
    /// The lookup role's positive verdicts, read by the router. (A rejection is only a status
    /// event: nothing else needs it.)
    public var verified: String
    /// Work for the NAV channel and the GP (fastlege) channel workers.
    public var navChannel: String
    public var gpChannel: String
    /// Status events from every role; the status updater is their only consumer.
    public var status: String
    /// Messages no role could handle, with the reason in headers; re-driven by `mottak dlq`.
    public var deadLetter: String
    /// The event front door (public contract, versioned): plans published by upstream intake
    /// systems. The only topic of ours that carries plan text: short retention, named writers.
    public var submitted: String
    /// Public status events of the plans that came through the event front door, for their
    /// publishers to follow (public contract, versioned).
    public var publicStatus: String
    /// Owned by team sykmelding: sick-leave notes sent to employers (sendt sykmelding).
    public var sendtSykmelding: String
    /// Owned by team-esyfo's Modia side: a task for a NAV caseworker when the employer asks for help.
    public var modiaTask: String

    public init(
        received: String, verified: String, navChannel: String, gpChannel: String, status: String, deadLetter: String,
        submitted: String, publicStatus: String, sendtSykmelding: String, modiaTask: String
    ) {
        self.received = received
        self.verified = verified
        self.navChannel = navChannel
        self.gpChannel = gpChannel
        self.status = status
        self.deadLetter = deadLetter
        self.submitted = submitted
        self.publicStatus = publicStatus
        self.sendtSykmelding = sendtSykmelding
        self.modiaTask = modiaTask
    }

    /// The names of `mottak-dev`, the tests and a plain Kafka cluster. The two topics other
    /// teams own have the one name they have everywhere.
    public static let local = EventTopics(
        received: "followupplan.received", verified: "followupplan.verified", navChannel: "followupplan.channel.nav",
        gpChannel: "followupplan.channel.gp", status: "followupplan.status", deadLetter: "followupplan.dlq",
        submitted: "followupplan.submitted.v1", publicStatus: "followupplan.status.v1",
        sendtSykmelding: "teamsykmelding.syfo-sendt-sykmelding", modiaTask: "team-esyfo.aapen-syfo-oppfolgingsplan-lps-nav-v2")

    /// Each topic's environment variable. `owned` says whether this service owns the topic
    /// (its name differs between a plain cluster and NAIS, so NAIS must set it).
    public static var variables: [(name: String, owned: Bool, topic: WritableKeyPath<EventTopics, String>)] {
        [
            ("KAFKA_TOPIC_RECEIVED", true, \.received),
            ("KAFKA_TOPIC_VERIFIED", true, \.verified),
            ("KAFKA_TOPIC_CHANNEL_NAV", true, \.navChannel),
            ("KAFKA_TOPIC_CHANNEL_GP", true, \.gpChannel),
            ("KAFKA_TOPIC_STATUS", true, \.status),
            ("KAFKA_TOPIC_DEAD_LETTER", true, \.deadLetter),
            ("KAFKA_TOPIC_SUBMITTED", true, \.submitted),
            ("KAFKA_TOPIC_PUBLIC_STATUS", true, \.publicStatus),
            ("KAFKA_TOPIC_SENDT_SYKMELDING", false, \.sendtSykmelding),
            ("KAFKA_TOPIC_MODIA_TASK", false, \.modiaTask),
        ]
    }
}
