import Logging
import ServiceLifecycle

/// Stands in the service group for a role whose behaviour a later issue builds, so that the
/// process shape (`serve --role`, lifecycle, health) is the final one today. It says plainly in
/// the log that the role does nothing yet, and ends on graceful shutdown.
struct PendingRoleService: Service, CustomStringConvertible {
    let role: Role
    let logger: Logger
    var description: String { "PendingRoleService(\(role.rawValue))" }

    func run() async throws {
        logger.warning(
            "role has no behaviour yet",
            metadata: ["role": "\(role.rawValue)", "built.in.issue": "\(role.buildingIssue)"])
        try? await gracefulShutdown()
    }
}
