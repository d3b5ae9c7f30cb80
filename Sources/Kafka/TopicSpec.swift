/// A topic the project needs, with the partition count it is created with.
///
/// The partition count bounds how far a consumer role scales (one member per partition).
public struct TopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int

    public init(name: String, partitions: Int, replicationFactor: Int = 3) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }
}
