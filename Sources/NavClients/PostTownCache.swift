import Foundation
import Synchronization

/// Post towns by postal code, as PDL's address search answered them, kept for a day: a
/// postal code's town changes at most once a year (Posten's register), and without the cache
/// every PDF asked PDL a third time for the same few thousand towns. Bounded: at most
/// `capacity` codes (Norway has about 5,000), the whole cache dropped when full.
final class PostTownCache: Sendable {
    private struct Entry {
        var town: String
        var fetchedAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int

    init(lifetime: Duration = .seconds(24 * 3600), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The town of `postnummer` when it was fetched within the lifetime.
    func town(of postnummer: String) -> String? {
        entries.withLock { entries in
            guard let entry = entries[postnummer], entry.fetchedAt.duration(to: .now) < lifetime else { return nil }
            return entry.town
        }
    }

    /// Keeps PDL's answer (an unknown postal code is not kept: it is asked again).
    func keep(_ town: String, for postnummer: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[postnummer] = Entry(town: town, fetchedAt: .now)
        }
    }
}
