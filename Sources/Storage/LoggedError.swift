import PostgresNIO

/// An error as a log line may show it. `String(reflecting:)` of a `PSQLError` prints the
/// server's DETAIL and the query, and DETAIL of a constraint violation repeats the failing row
/// ("Failing row contains (…)": identity numbers, plan text). This keeps what tells an operator
/// what went wrong (the client-side code, the SQLSTATE, the server's one-line message, the
/// constraint and table names) and drops the rest.
public enum LoggedError {
    public static func text(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(reflecting: error) }
        var parts = ["code: \(error.code)"]
        if let info = error.serverInfo {
            for (name, field) in [
                ("sqlState", PSQLError.ServerInfo.Field.sqlState), ("message", .message), ("constraint", .constraintName), ("table", .tableName),
            ] {
                if let value = info[field] { parts.append("\(name): \(value)") }
            }
        }
        return "PSQLError(\(parts.joined(separator: ", ")))"
    }
}
