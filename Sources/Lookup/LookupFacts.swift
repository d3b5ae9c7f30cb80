import Domain
import Foundation
import Logging
import PlanPdf
import PostgresNIO
import Storage

/// What the lookup needs to know about a stored plan, read in one statement: the whole plan as
/// the channels read it (whom it is about and for which employer, its recorded verdict when a
/// delivery before this one decided, its PDF when one was built: the lookup builds it for the
/// channels), and where the employee has an active sykmelding today (`sykmelding_period`, which
/// the sykmelding ingest keeps).
public struct LookupFacts: Sendable, Equatable {
    /// The plan with its recorded steps (the lookup's verdict among them) and its PDF.
    public var plan: StoredPlan
    /// The organisations at which the employee has an active sykmelding today.
    public var activeSykmeldingAt: Set<String>

    public var employeeIdentificationNumber: String { plan.plan.employeeIdentificationNumber }
    public var employerOrgNumber: String { plan.employerOrgNumber }
    public var steps: RecordedSteps { plan.steps }

    public init(plan: StoredPlan, activeSykmeldingAt: Set<String> = []) {
        self.plan = plan
        self.activeSykmeldingAt = activeSykmeldingAt
    }

    /// The facts of plan `uuid` (`followup_plan`, which the front doors write), or nil when
    /// there is no such plan. `today` is Oslo's date unless a test gives its own.
    public static func read(_ uuid: UUID, today: CalendarDate? = nil, from postgres: PostgresClient, logger: Logger) async throws -> LookupFacts? {
        var binds = PostgresBindings(capacity: 2)
        binds.append(uuid)
        binds.append(today?.description)
        // Prepared (`PreparedStatements`); `$2` is cast to text so that a first execution with no
        // date of its own (NULL: Oslo's today) fixes its type as the text later dates come in.
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT \(PlanPdfStore.planColumns),
                       ARRAY(\(ActiveSykmeldinger.organizationsQuery(employee: "p.employee_identification_number", day: "$2::text"))) AS active
                FROM followup_plan p WHERE uuid = $1
                """, binds: binds)
        for row in try await postgres.prepared(query, logger: logger) {
            let cells = row.makeRandomAccess()
            return LookupFacts(
                plan: try PlanPdfStore.storedPlan(cells, uuid: uuid), activeSykmeldingAt: Set(try cells["active"].decode([String].self)))
        }
        return nil
    }
}
