import Domain
import Kafka

/// The topics `mottak-dev` creates, with the partition counts of deploy/ (the partition count
/// caps how many members of a consumer role can share the work). On NAIS the `Topic`
/// manifests create them; `scripts/check_deploy.py` holds the two to the same counts.
public enum TopicPartitions {
    /// Topics this service owns.
    public static func owned(_ topics: EventTopics) -> [TopicSpec] {
        [
            TopicSpec(name: topics.received, partitions: 6),
            TopicSpec(name: topics.verified, partitions: 6),
            TopicSpec(name: topics.navChannel, partitions: 6),
            TopicSpec(name: topics.gpChannel, partitions: 6),
            TopicSpec(name: topics.status, partitions: 6),
            TopicSpec(name: topics.deadLetter, partitions: 3),
            // The event front door's public topics.
            TopicSpec(name: topics.submitted, partitions: 6),
            TopicSpec(name: topics.publicStatus, partitions: 6),
        ]
    }

    /// Topics other teams own in production; locally they must exist too.
    public static func foreign(_ topics: EventTopics) -> [TopicSpec] {
        [
            TopicSpec(name: topics.sendtSykmelding, partitions: 3),
            TopicSpec(name: topics.modiaTask, partitions: 1),
        ]
    }

    public static func all(_ topics: EventTopics) -> [TopicSpec] { owned(topics) + foreign(topics) }

    /// The local names' topics, as the tests and `mottak-dev` create them.
    public static var all: [TopicSpec] { all(.local) }
}
