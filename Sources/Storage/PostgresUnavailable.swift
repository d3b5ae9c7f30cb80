import PostgresNIO

/// Whether an error says our PostgreSQL could not be used just now (down, restarting, out of
/// connections, a connection lost) rather than that a statement was wrong. A consumer waits
/// out the first kind for as long as it lasts: our own database being away is never a plan's
/// fault, so it must not count towards the plan's attempts or dead-letter it.
public enum PostgresUnavailable {
    public static func matches(_ error: any Error) -> Bool {
        if error is ConnectionWaitExceeded { return true }
        guard let error = error as? PSQLError else { return false }
        // The connection failed, closed or was lost, or the pool is shutting down. (Not the
        // other client-side codes: too many parameters or an unexpected message is our bug,
        // and waiting would hide it.)
        let connectionFailures: [PSQLError.Code] = [
            .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
        ]
        if connectionFailures.contains(error.code) { return true }
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
        // 08 connection exception, 53 insufficient resources (too many connections, disk
        // full), 57P01–57P05 shutdown, restart, cannot connect now, idle-session timeouts;
        // 40001/40P01 serialization failure and deadlock, which the same statement survives.
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") || state == "40001" || state == "40P01"
    }
}
