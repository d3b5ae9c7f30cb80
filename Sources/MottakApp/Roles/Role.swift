import ChannelRouter
import EventIntake
import Foundation
import GpChannel
import Lookup
import NavChannel
import StatusUpdater
import SykmeldingIngest

/// The roles of the one `mottak` binary. On plain Kubernetes each runs as its own Deployment
/// (`mottak serve --role lookup`); on NAIS every pod runs them all (`--role all`: one
/// Application owns the database and carries the name NAV's services admit), as does
/// `mottak-dev` locally.
public enum Role: String, CaseIterable, Sendable, Comparable {
    case intake
    case eventIntake = "event-intake"
    case outboxRelay = "outbox-relay"
    case lookup
    case router
    case navChannel = "nav-channel"
    case gpChannel = "gp-channel"
    case statusUpdater = "status-updater"
    case statusQuery = "status-query"
    case sykmeldingIngest = "sykmelding-ingest"

    /// Parses `--role` values: role names, comma-separated lists of them, or `all`.
    public static func parse(_ values: [String]) throws(ConfigurationError) -> Set<Role> {
        var roles: Set<Role> = []
        for name in values.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if name == "all" {
                roles.formUnion(Role.allCases)
            } else if let role = Role(rawValue: name) {
                roles.insert(role)
            } else {
                throw ConfigurationError(
                    variable: "--role",
                    problem: "'\(name)' is not a role; expected all or one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        guard !roles.isEmpty else { throw ConfigurationError(variable: "--role", problem: "names no role") }
        return roles
    }

    /// The Kafka consumer group of a consuming role (KEDA scales it on this group's lag).
    public var consumerGroup: String? {
        switch self {
        case .eventIntake: EventIntake.consumerGroup
        case .lookup: Lookup.consumerGroup
        case .router: ChannelRouter.consumerGroup
        case .navChannel: NavChannel.consumerGroup
        case .gpChannel: GpChannel.consumerGroup
        case .statusUpdater: StatusUpdater.consumerGroup
        case .sykmeldingIngest: SykmeldingIngest.consumerGroup
        case .intake, .outboxRelay, .statusQuery: nil
        }
    }

    /// Whether the role talks to Kafka (and so whether readiness checks Kafka). The HTTP roles
    /// only use PostgreSQL: the intake hands events to the outbox.
    public var usesKafka: Bool {
        switch self {
        case .intake, .statusQuery: false
        default: true
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
