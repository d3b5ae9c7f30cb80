/// What a consumer-group member reads and how it starts.
public struct KafkaConsumerConfiguration: Sendable {
    /// The consumer group: members of one group share the partitions of `topics`.
    public var groupID: String
    public var topics: [String]
    /// Where a group with no committed offset starts. Default `true` (earliest): a new group
    /// must not skip plans that were published before it first joined.
    public var startFromEarliest: Bool
    /// How often librdkafka commits the offsets marked processed (they are also committed on
    /// every partition revocation and on close).
    public var autoCommitInterval: Duration
    /// How long closing waits for the group to let the member leave before it stops without
    /// leaving (its offsets committed; its partitions move when its session expires). A leave
    /// takes milliseconds unless a rebalance waits on a member that died; every consumer of a
    /// process closes in turn within the shutdown's grace, so this is short.
    public var leaveLimit: Duration

    /// How long a member may go without a heartbeat before the group hands its partitions on.
    public static let sessionTimeout: Duration = .seconds(10)
    public static let heartbeatInterval: Duration = .seconds(1)

    public init(
        groupID: String, topics: [String], startFromEarliest: Bool = true, autoCommitInterval: Duration = .seconds(1),
        leaveLimit: Duration = .seconds(2)
    ) {
        self.groupID = groupID
        self.topics = topics
        self.startFromEarliest = startFromEarliest
        self.autoCommitInterval = autoCommitInterval
        self.leaveLimit = leaveLimit
    }

    /// At-least-once: librdkafka commits automatically, but only offsets we stored after a
    /// message was processed (`enable.auto.offset.store=false`).
    ///
    /// Cooperative rebalancing: when a member joins or leaves, the others keep the partitions
    /// they still own and keep working, instead of all members giving everything up and
    /// re-reading whatever they processed since their last commit (the eager protocol).
    ///
    /// Failover: a member that dies without leaving (a crashed pod, or one that stopped during a
    /// stuck rebalance) holds its partitions until its session expires. librdkafka's 45 s made
    /// a crash stall those partitions (and a synchronous POST on them turned into a 202) for
    /// 45 s; ``sessionTimeout`` (10 s, heartbeats every second) bounds that at about 10 s. The
    /// price: a member whose heartbeats stop for 10 s (a node in trouble, a CPU-starved pod) is
    /// taken out of the group and its partitions move, at-least-once, to the others. Aiven's
    /// brokers allow 6–1,800 s (`group.min/max.session.timeout.ms`). `KAFKA_CONSUMER_PROPERTIES`
    /// overrides both.
    var librdkafkaProperties: [(String, String)] {
        [
            ("group.id", groupID),
            ("session.timeout.ms", "\(Self.sessionTimeout.milliseconds)"),
            ("heartbeat.interval.ms", "\(Self.heartbeatInterval.milliseconds)"),
            ("partition.assignment.strategy", "cooperative-sticky"),
            ("enable.auto.commit", "true"),
            ("enable.auto.offset.store", "false"),
            ("auto.commit.interval.ms", "\(autoCommitInterval.milliseconds)"),
            ("auto.offset.reset", startFromEarliest ? "earliest" : "latest"),
        ]
    }
}
