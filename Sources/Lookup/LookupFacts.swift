import Foundation
import Logging
import PostgresNIO

/// What the lookup needs to know about a stored plan: whom it is about and for which employer.
public struct LookupFacts: Sendable, Equatable {
    public var employeeIdentificationNumber: String
    public var employerOrgNumber: String

    /// The facts of plan `uuid` (`followup_plan`, which the front doors write), or nil when
    /// there is no such plan.
    public static func read(_ uuid: UUID, from postgres: PostgresClient, logger: Logger) async throws -> LookupFacts? {
        let rows = try await postgres.query(
            "SELECT employee_identification_number, employer_org_number FROM followup_plan WHERE uuid = \(uuid)", logger: logger)
        for try await (employee, employer) in rows.decode((String, String).self) {
            return LookupFacts(employeeIdentificationNumber: employee, employerOrgNumber: employer)
        }
        return nil
    }
}
