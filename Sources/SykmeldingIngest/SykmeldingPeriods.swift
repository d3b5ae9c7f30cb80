import Domain
import Logging
import PostgresNIO
import Storage

/// The ingest's writes to `sykmelding_period`: the sick-leave periods of sykmeldinger sent to
/// employers, as team sykmelding's topic has them. The lookup reads the table with its own
/// query (`Lookup.ActiveSykmeldinger`).
///
/// "Today" is Oslo's date, as the contract's active check has it; tests pass their own.
public struct SykmeldingPeriods: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Stores the periods of `sykmelding`, replacing whatever was stored under its id (a re-sent
    /// or corrected sykmelding replaces, a redelivered one changes nothing). Periods that can no
    /// longer be active are left out. Returns how many periods are stored.
    @discardableResult
    public func replace(_ sykmelding: SendtSykmelding, today: CalendarDate? = nil) async throws -> Int {
        let fom = sykmelding.periods.map(\.fom.description)
        let tom = sykmelding.periods.map(\.tom.description)
        let day = today?.description
        return try await postgres.transaction(logger: logger) { connection in
            try await connection.query("DELETE FROM sykmelding_period WHERE sykmelding_id = \(sykmelding.sykmeldingID)", logger: logger)
            let rows = try await connection.query(
                """
                WITH stored AS (
                    INSERT INTO sykmelding_period (sykmelding_id, period_number, employee_identification_number, organization_number, fom, tom)
                    SELECT \(sykmelding.sykmeldingID), (period.number - 1)::int2, \(sykmelding.employeeIdentificationNumber),
                           \(sykmelding.organizationNumber), period.fom::date, period.tom::date
                    FROM unnest(\(fom)::text[], \(tom)::text[]) WITH ORDINALITY AS period(fom, tom, number)
                    WHERE period.tom::date >= coalesce(\(day)::date, (now() AT TIME ZONE 'Europe/Oslo')::date) - \(SendtSykmelding.graceDays)::int4
                    RETURNING 1
                )
                SELECT count(*)::int8 FROM stored
                """, logger: logger)
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    /// A tombstone: the sykmelding was withdrawn.
    public func delete(sykmeldingID: String) async throws {
        try await postgres.query("DELETE FROM sykmelding_period WHERE sykmelding_id = \(sykmeldingID)", logger: logger)
    }

    /// Deletes periods that can no longer be active. Returns how many.
    @discardableResult
    public func purgeEnded(today: CalendarDate? = nil) async throws -> Int {
        let day = today?.description
        let rows = try await postgres.query(
            """
            WITH gone AS (
                DELETE FROM sykmelding_period WHERE tom < coalesce(\(day)::date, (now() AT TIME ZONE 'Europe/Oslo')::date) - \(SendtSykmelding.graceDays)::int4 RETURNING 1
            )
            SELECT count(*)::int8 FROM gone
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
