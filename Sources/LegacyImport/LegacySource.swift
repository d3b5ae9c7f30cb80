import Domain
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The old service's database, read over one connection that PostgreSQL itself keeps read-only
/// (`default_transaction_read_only`): the import cannot change a byte there, whatever its SQL.
struct LegacySource: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Opens the connection and fixes the session's text formats, which the fingerprints depend on.
    static func connect(_ configuration: PostgresConnection.Configuration, logger: Logger) async throws -> LegacySource {
        var configuration = configuration
        configuration.options.additionalStartupParameters = [
            ("application_name", "mottak import-legacy"), ("default_transaction_read_only", "on"),
        ]
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            for setting in ["SET DateStyle = 'ISO, YMD'", "SET IntervalStyle = 'postgres'", "SET bytea_output = 'hex'"] {
                try await connection.query(PostgresQuery(unsafeSQL: setting), logger: logger)
            }
        } catch {
            try? await connection.close()
            throw error
        }
        return LegacySource(connection: connection, logger: logger)
    }

    /// Refuses a database that is not the old service's at its final schema: a missing table or
    /// column, or one this import does not know (its values would be lost).
    func checkSchema() async throws {
        let rows = try await connection.query(
            """
            SELECT table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name IN ('follow_up_plan_lps_v1', 'altinn_lps')
            """, logger: logger)
        var found: [String: Set<String>] = [:]
        for try await (table, column) in rows.decode((String, String).self) { found[table, default: []].insert(column) }
        for table in LegacyTable.allCases {
            guard let columns = found[table.sqlName] else {
                throw LegacyImportError.notTheOldSchema("it has no table \(table.rawValue)")
            }
            let missing = Set(table.columns).subtracting(columns)
            let unknown = columns.subtracting(table.columns)
            if !missing.isEmpty {
                throw LegacyImportError.notTheOldSchema("\(table.rawValue) lacks \(missing.sorted().joined(separator: ", "))")
            }
            if !unknown.isEmpty {
                throw LegacyImportError.notTheOldSchema(
                    "\(table.rawValue) has columns this import does not know (\(unknown.sorted().joined(separator: ", "))): their values would be lost"
                )
            }
        }
    }

    /// The number of rows of `table` (received since `since`), for progress.
    func count(_ table: LegacyTable, since: String?) async throws -> Int {
        var binds = PostgresBindings()
        let condition = Self.conditions(table, after: nil, since: since, binds: &binds)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(table.sqlName) t \(condition)", binds: binds), logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// The WHERE clause of a page: after the last uuid of the page before, received since `since`.
    static func conditions(_ table: LegacyTable, after: UUID?, since: String?, binds: inout PostgresBindings) -> String {
        var conditions: [String] = []
        if let after {
            binds.append(after)
            conditions.append("t.uuid > $\(binds.count)")
        }
        if let since {
            binds.append(since)
            conditions.append("t.\(table.createdColumn) >= $\(binds.count)::timestamp")
        }
        return conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    /// The next `limit` rows' uuids and fingerprints after `after`, in uuid order (keyset paging
    /// on the primary key: each page is an index range scan, however far in).
    func fingerprints(_ table: LegacyTable, after: UUID?, since: String?, limit: Int) async throws -> [(uuid: UUID, fingerprint: String)] {
        var binds = PostgresBindings()
        let condition = Self.conditions(table, after: after, since: since, binds: &binds)
        binds.append(limit)
        let sql = "SELECT t.uuid, \(table.fingerprintSQL) FROM \(table.sqlName) t \(condition) ORDER BY t.uuid LIMIT $\(binds.count)"
        var page: [(uuid: UUID, fingerprint: String)] = []
        for try await (uuid, fingerprint) in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            .decode((UUID, String).self)
        {
            page.append((uuid, fingerprint))
        }
        return page
    }

    /// The whole rows of `uuids` (PDFs included) with their fingerprints.
    func rows(_ table: LegacyTable, _ uuids: [UUID]) async throws -> PostgresRowSequence {
        var binds = PostgresBindings()
        binds.append(uuids)
        return try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(table.selectSQL) FROM \(table.sqlName) t WHERE t.uuid = ANY($1) ORDER BY t.uuid", binds: binds),
            logger: logger)
    }

    func apiPlans(_ uuids: [UUID]) async throws -> [LegacyApiPlan] {
        var plans: [LegacyApiPlan] = []
        for try await row in try await rows(.api, uuids) {
            let cells = row.makeRandomAccess()
            func text(_ column: String) throws -> String { try cells[column].decode(String.self) }
            func optionalText(_ column: String) throws -> String? { try cells[column].decode(String?.self) }
            let evaluationDate = try text("evaluation_date")
            let lpsName = try optionalText("lps_name")
            let plan = try CalendarDate(iso: evaluationDate).map { date in
                FollowUpPlanDTO(
                    employeeIdentificationNumber: try text("employee_identification_number"), typicalWorkday: try text("typical_workday"),
                    tasksThatCanStillBeDone: try text("tasks_that_can_still_be_done"),
                    tasksThatCanNotBeDone: try text("tasks_that_can_not_be_done"), previousFacilitation: try text("previous_facilitation"),
                    plannedFacilitation: try text("planned_facilitation"), otherFacilitationOptions: try optionalText("other_facilitation_options"),
                    followUp: try text("follow_up"), evaluationDate: date, sendPlanToNav: try cells["send_plan_to_nav"].decode(Bool.self),
                    needsHelpFromNav: try cells["needs_help_from_nav"].decode(Bool?.self),
                    needsHelpFromNavDescription: try optionalText("needs_help_from_nav_description"),
                    sendPlanToGeneralPractitioner: try cells["send_plan_to_general_practitioner"].decode(Bool.self),
                    messageToGeneralPractitioner: try optionalText("message_to_general_practitioner"),
                    additionalInformation: try optionalText("additional_information"),
                    contactPersonFullName: try text("contact_person_full_name"), contactPersonPhoneNumber: try text("contact_person_phone_number"),
                    contactPersonEmail: try text("contact_person_email"),
                    employeeHasContributedToPlan: try cells["employee_has_contributed_to_plan"].decode(Bool.self),
                    employeeHasNotContributedToPlanDescription: try optionalText("employee_has_not_contributed_to_plan_description"),
                    lpsName: lpsName ?? "", lpsEmail: try optionalText("lps_email"))
            }
            plans.append(
                LegacyApiPlan(
                    uuid: try cells["uuid"].decode(UUID.self), organizationNumber: try text("organization_number"), plan: plan,
                    evaluationDateText: evaluationDate, lpsNameMissing: lpsName == nil, pdf: try cells["pdf"].decode(ByteBuffer?.self),
                    sentToNavAt: try optionalText("sent_to_nav_at"), sentToGeneralPractitionerAt: try optionalText("sent_to_general_practitioner_at"),
                    sendToGeneralPractitionerRetryCount: try cells["send_to_general_practitioner_retry_count"].decode(Int.self),
                    journalpostID: try optionalText("journalpost_id"), lpsOrgNumber: try optionalText("lps_orgnumber"),
                    createdAt: try text("created_at"), lastUpdatedAt: try text("last_updated_at"), fingerprint: try text("fingerprint")))
        }
        return plans
    }

    func altinnPlans(_ uuids: [UUID]) async throws -> [LegacyAltinnPlan] {
        var plans: [LegacyAltinnPlan] = []
        for try await row in try await rows(.altinn, uuids) {
            let cells = row.makeRandomAccess()
            func text(_ column: String) throws -> String { try cells[column].decode(String.self) }
            func optionalText(_ column: String) throws -> String? { try cells[column].decode(String?.self) }
            func bool(_ column: String) throws -> Bool { try cells[column].decode(Bool.self) }
            plans.append(
                LegacyAltinnPlan(
                    uuid: try cells["uuid"].decode(UUID.self), lpsFnr: try text("lps_fnr"), fnr: try optionalText("fnr"),
                    orgnummer: try text("orgnummer"), pdf: try cells["pdf"].decode(ByteBuffer?.self), xml: try text("xml"),
                    shouldSendToNav: try bool("should_send_to_nav"), shouldSendToFastlege: try bool("should_send_to_fastlege"),
                    sentToNav: try bool("sent_to_nav"), sentToFastlege: try bool("sent_to_fastlege"),
                    sendToFastlegeRetryCount: try cells["send_to_fastlege_retry_count"].decode(Int.self),
                    journalpostID: try optionalText("journalpost_id"), archiveReference: try optionalText("archive_reference"),
                    created: try text("created"), lastChanged: try text("last_changed"), migrated: try bool("migrated"),
                    skipRetry: try cells["skip_retry"].decode(Bool?.self), fingerprint: try text("fingerprint")))
        }
        return plans
    }

    /// The next page of (uuid, fingerprint, SHA-256 of the PDF) for the verification, hashed by
    /// the source server.
    func digests(_ table: LegacyTable, after: UUID?, since: String?, limit: Int) async throws -> [LegacyDigest] {
        var binds = PostgresBindings()
        let condition = Self.conditions(table, after: after, since: since, binds: &binds)
        binds.append(limit)
        let sql = """
            SELECT t.uuid, \(table.fingerprintSQL), encode(sha256(t.pdf), 'hex'), \(table.visibleToCaseWorkersSQL), \(table.statusAnswerSQL)
            FROM \(table.sqlName) t \(condition) ORDER BY t.uuid LIMIT $\(binds.count)
            """
        var page: [LegacyDigest] = []
        for try await (uuid, fingerprint, pdf, visible, nav, gp) in try await connection.query(
            PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger
        ).decode((UUID, String, String?, Bool?, Bool?, Bool?).self) {
            page.append(
                LegacyDigest(
                    uuid: uuid, fingerprint: fingerprint, pdfSHA256: pdf, visibleToCaseWorkers: visible ?? false, sentToNav: nav,
                    sentToGeneralPractitioner: gp))
        }
        return page
    }

    func close() async { try? await connection.close() }
}

/// One row as the verification compares it, on either side: which version of the source row,
/// the PDF's SHA-256, whether a case worker sees it, and the status answer's two fields (the
/// API's plans; nil for Altinn plans, which have no status answer).
struct LegacyDigest: Sendable, Equatable {
    var uuid: UUID
    var fingerprint: String
    var pdfSHA256: String?
    var visibleToCaseWorkers: Bool
    var sentToNav: Bool?
    var sentToGeneralPractitioner: Bool?
}
