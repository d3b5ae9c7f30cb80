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
        let day = today?.description
        let rows = try await postgres.query(
            """
            SELECT DISTINCT organization_number FROM sykmelding_period
            WHERE employee_identification_number = \(employee)
              AND fom <= coalesce(\(day)::date, (now() AT TIME ZONE 'Europe/Oslo')::date) AND coalesce(\(day)::date, (now() AT TIME ZONE 'Europe/Oslo')::date) <= tom + \(SendtSykmelding.graceDays)::int4
            """, logger: logger)
        var organizations: Set<String> = []
        for try await organization in rows.decode(String.self) { organizations.insert(organization) }
        return organizations
    }
}
