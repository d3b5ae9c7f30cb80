import Domain
import Foundation
import Logging
import PostgresNIO
import Storage

/// What the lookup needs to know about a stored plan, read in one statement: whom it is about
/// and for which employer, its recorded verdict (when a delivery before this one decided), and
/// where the employee has an active sykmelding today (`sykmelding_period`, which the sykmelding
/// ingest keeps).
public struct LookupFacts: Sendable, Equatable {
    public var employeeIdentificationNumber: String
    public var employerOrgNumber: String
    /// The plan's recorded steps (the lookup's verdict among them).
    public var steps: RecordedSteps
    /// The organisations at which the employee has an active sykmelding today.
    public var activeSykmeldingAt: Set<String>

    public init(
        employeeIdentificationNumber: String, employerOrgNumber: String, steps: RecordedSteps = .none, activeSykmeldingAt: Set<String> = []
    ) {
        self.employeeIdentificationNumber = employeeIdentificationNumber
        self.employerOrgNumber = employerOrgNumber
        self.steps = steps
        self.activeSykmeldingAt = activeSykmeldingAt
    }

    /// The facts of plan `uuid` (`followup_plan`, which the front doors write), or nil when
    /// there is no such plan. `today` is Oslo's date unless a test gives its own.
    public static func read(_ uuid: UUID, today: CalendarDate? = nil, from postgres: PostgresClient, logger: Logger) async throws -> LookupFacts? {
        var binds = PostgresBindings(capacity: 2)
        binds.append(uuid)
        binds.append(today?.description)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT employee_identification_number, employer_org_number, \(RecordedSteps.column(plan: "p.uuid")),
                       ARRAY(\(ActiveSykmeldinger.organizationsQuery(employee: "p.employee_identification_number", day: "$2::text")))
                FROM followup_plan p WHERE uuid = $1
                """, binds: binds)
        // Prepared (`PreparedStatements`); `$2` is cast to text so that a first execution with no
        // date of its own (NULL: Oslo's today) fixes its type as the text later dates come in.
        let rows = try await postgres.prepared(query, logger: logger)
        for row in rows {
            let (employee, employer, steps, active) = try row.decode((String, String, String?, [String]).self)
            return LookupFacts(
                employeeIdentificationNumber: employee, employerOrgNumber: employer, steps: try RecordedSteps(json: steps),
                activeSykmeldingAt: Set(active))
        }
        return nil
    }
}
