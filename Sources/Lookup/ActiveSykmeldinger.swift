import Domain
import Logging
import PostgresNIO

/// The lookup's question to `sykmelding_period` (which the sykmelding ingest keeps): where does
/// the employee have an active sykmelding today?
///
/// "Today" is Oslo's date, as the contract's active check has it; tests pass their own.
public struct ActiveSykmeldinger: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The organisations at which the employee has an active period today:
    /// today ∈ [fom, tom + 15 days], both inclusive.
    public func organizations(employee: String, today: CalendarDate? = nil) async throws -> Set<String> {
        var binds = PostgresBindings(capacity: 2)
        binds.append(employee)
        binds.append(today?.description)
        let rows = try await postgres.query(
            PostgresQuery(unsafeSQL: Self.organizationsQuery(employee: "$1", day: "$2"), binds: binds), logger: logger)
        var organizations: Set<String> = []
        for try await organization in rows.decode(String.self) { organizations.insert(organization) }
        return organizations
    }

    /// The query of ``organizations(employee:today:)`` over the SQL expressions `employee` and
    /// `day` (a date as text, or NULL for Oslo's today), for a caller that asks it inside a
    /// statement of its own (the lookup's one read of a plan).
    static func organizationsQuery(employee: String, day: String) -> String {
        let today = "coalesce(\(day)::date, (now() AT TIME ZONE 'Europe/Oslo')::date)"
        return """
            SELECT DISTINCT organization_number FROM sykmelding_period
            WHERE employee_identification_number = \(employee) AND fom <= \(today) AND \(today) <= tom + \(SendtSykmelding.graceDays)
            """
    }
}
