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

    public init(groupID: String, topics: [String], startFromEarliest: Bool = true, autoCommitInterval: Duration = .seconds(1)) {
        self.groupID = groupID
        self.topics = topics
        self.startFromEarliest = startFromEarliest
        self.autoCommitInterval = autoCommitInterval
    }

    /// At-least-once: librdkafka commits automatically, but only offsets we stored after a
    /// message was processed (`enable.auto.offset.store=false`).
    ///
    /// Cooperative rebalancing: when a member joins or leaves, the others keep the partitions
    /// they still own and keep working, instead of all members giving everything up and
    /// re-reading whatever they processed since their last commit (the eager protocol).
    var librdkafkaProperties: [(String, String)] {
        [
            ("group.id", groupID),
            ("partition.assignment.strategy", "cooperative-sticky"),
            ("enable.auto.commit", "true"),
            ("enable.auto.offset.store", "false"),
            ("auto.commit.interval.ms", "\(autoCommitInterval.milliseconds)"),
            ("auto.offset.reset", startFromEarliest ? "earliest" : "latest"),
        ]
    }
}
