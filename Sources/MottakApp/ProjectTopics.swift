import Domain
import Kafka

/// The topics `mottak dev` creates, with the partition counts of deploy/ (the partition count
/// caps how many members of a consumer role can share the work).
public enum ProjectTopics {
    /// Topics this service owns.
    public static let owned: [TopicSpec] = [
        TopicSpec(name: EventTopics.received, partitions: 6),
        TopicSpec(name: EventTopics.verified, partitions: 6),
        TopicSpec(name: EventTopics.navChannel, partitions: 6),
        TopicSpec(name: EventTopics.gpChannel, partitions: 6),
        TopicSpec(name: EventTopics.status, partitions: 6),
        TopicSpec(name: EventTopics.deadLetter, partitions: 3),
        // The event front door's public topics.
        TopicSpec(name: EventTopics.submitted, partitions: 6),
        TopicSpec(name: EventTopics.publicStatus, partitions: 6),
    ]

    /// Topics other teams own in production; locally they must exist too.
    public static let foreign: [TopicSpec] = [
        TopicSpec(name: EventTopics.sendtSykmelding, partitions: 3),
        TopicSpec(name: EventTopics.modiaTask, partitions: 1),
    ]

    public static var all: [TopicSpec] { owned + foreign }
}
