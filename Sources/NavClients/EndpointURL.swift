/// Where an API is: a fixed URL in production, or one known only once a local stand-in
/// listens (`mottak-dev`, tests). Resolved on every request; cheap when fixed.
public struct EndpointURL: Sendable {
    public let resolve: @Sendable () async -> String

    public init(_ url: String) {
        resolve = { url }
    }

    public init(deferred: @escaping @Sendable () async -> String) {
        resolve = deferred
    }

    /// The URL with `path` appended, whether or not the configured URL ends in a slash.
    func appending(_ path: String) async -> String {
        var base = await resolve()
        if base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
