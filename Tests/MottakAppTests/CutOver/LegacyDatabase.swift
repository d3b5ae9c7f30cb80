import Foundation
import LegacyImport
import LocalStandIns
import Logging
import PostgresNIO
import Storage
import TestSupport

/// The old service's database, made as production made it: an empty database, then its own
/// Flyway migrations V1 … V15 (`LegacySchema/`, byte for byte), then rows as its code wrote
/// them (Oslo wall-clock `TIMESTAMP`s; `journalpost_id` left NULL by its API code).
enum LegacyDatabase {
    static let schemaDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("LegacySchema")

    /// Runs `body` with a fresh database holding the old service's schema.
    static func withDatabase<T: Sendable>(_ body: @escaping @Sendable (DatabaseConfiguration, PostgresClient) async throws -> T) async throws -> T {
        try await TestServices.withFreshDatabase { database, postgres in
            try await createSchema(postgres)
            return try await body(database, postgres)
        }
    }

    /// Applies V1 … V15 in Flyway's order (by version number, not by name).
    static func createSchema(_ postgres: PostgresClient) async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: schemaDirectory.path).filter { $0.hasSuffix(".sql") }
        let ordered = files.sorted { version($0) < version($1) }
        precondition(ordered.count == 15, "the old service has 15 migrations")
        for file in ordered {
            let sql = try String(contentsOf: schemaDirectory.appendingPathComponent(file), encoding: .utf8)
            for statement in SQLStatementSplitter.split(sql) {
                try await postgres.query(PostgresQuery(unsafeSQL: statement), logger: TestServices.logger)
            }
        }
    }

    private static func version(_ file: String) -> Int { Int(file.dropFirst().prefix { $0.isNumber }) ?? 0 }

    /// A PDF of `size` bytes, unique to `seed`.
    static func pdf(_ seed: String, size: Int = 2_000) -> [UInt8] {
        var bytes = Array("%PDF-1.7\n% \(seed)\n".utf8)
        var state = UInt64(truncatingIfNeeded: seed.hashValue) | 1
        while bytes.count < size {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        return bytes
    }

    /// A row of `FOLLOW_UP_PLAN_LPS_V1` as the old service's `storeFollowUpPlan` and
    /// `updateSentAt` left it; every column can be overridden (SQL literals).
    struct ApiRow: Sendable {
        var uuid = UUID()
        var organization = "123456789"
        var person = LocalNavFixtures.ready.identificationNumber
        var pdf: [UInt8]? = nil
        var sendToNav = true
        var needsHelp: String = "true"
        var helpDescription: String = "'Trenger hjelp med tilrettelegging'"
        var sentToNavAt: String? = "'2025-11-03 09:15:42.123456'"
        var sendToGeneralPractitioner = false
        var sentToGeneralPractitionerAt: String? = nil
        var contributed = "true"
        var notContributedDescription = "NULL"
        var lpsName = "'Visma HRM'"
        var lpsOrgnumber = "'987654321'"
        var lpsEmail = "NULL"
        var createdAt = "'2025-11-03 09:15:40.5'"
        var lastUpdatedAt = "'2025-11-03 09:15:40.5'"
        var journalpostID = "NULL"
        var typicalWorkday = "'Kontorarbeid, 7,5 timer'"
        var evaluationDate = "'2025-12-15'"
    }

    /// `$1` the uuid, `$2` the PDF (or NULL): what both tables' rows bind.
    private static func binds(_ uuid: UUID, _ pdf: [UInt8]?) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(uuid)
        if let pdf { binds.append(ByteBuffer(bytes: pdf)) } else { binds.appendNull() }
        return binds
    }

    static func insert(_ row: ApiRow, into postgres: PostgresClient) async throws {
        try await postgres.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO FOLLOW_UP_PLAN_LPS_V1 (
                        uuid, organization_number, employee_identification_number, typical_workday, tasks_that_can_still_be_done,
                        tasks_that_can_not_be_done, previous_facilitation, planned_facilitation, other_facilitation_options, follow_up,
                        evaluation_date, needs_help_from_nav, needs_help_from_nav_description, message_to_general_practitioner,
                        additional_information, contact_person_full_name, contact_person_phone_number, contact_person_email,
                        employee_has_contributed_to_plan, employee_has_not_contributed_to_plan_description, pdf, send_plan_to_nav,
                        sent_to_nav_at, send_plan_to_general_practitioner, sent_to_general_practitioner_at,
                        send_to_general_practitioner_retry_count, journalpost_id, lps_name, lps_orgnumber, created_at, last_updated_at,
                        lps_email)
                    VALUES ($1, '\(row.organization)', '\(row.person)', \(row.typicalWorkday), 'Lette oppgaver', 'Tunge løft',
                        'Hjemmekontor to dager i uken', 'Gradert sykmelding 50 %', NULL, 'Samtale hver fjortende dag',
                        \(row.evaluationDate), \(row.needsHelp), \(row.helpDescription), NULL, E'Linje 1\\nLinje 2 «sitat» 🙂',
                        'Kari Nordmann', '+47 22 22 22 22', 'kari@example.no', \(row.contributed), \(row.notContributedDescription),
                        $2, \(row.sendToNav), \(row.sentToNavAt ?? "NULL"), \(row.sendToGeneralPractitioner),
                        \(row.sentToGeneralPractitionerAt ?? "NULL"), 0, \(row.journalpostID), \(row.lpsName), \(row.lpsOrgnumber),
                        \(row.createdAt), \(row.lastUpdatedAt), \(row.lpsEmail))
                    """, binds: binds(row.uuid, row.pdf)), logger: TestServices.logger)
    }

    /// A row of `ALTINN_LPS` (V9 + V15).
    struct AltinnRow: Sendable {
        var uuid = UUID()
        var person = LocalNavFixtures.ready.identificationNumber
        var organization = "123456789"
        var pdf: [UInt8]? = nil
        var shouldSendToNav = true
        var created = "'2023-02-01 12:00:00'"
        var lastChanged = "'2023-02-01 12:05:00.25'"
    }

    static func insert(_ row: AltinnRow, into postgres: PostgresClient) async throws {
        try await postgres.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO ALTINN_LPS (uuid, lps_fnr, fnr, orgnummer, pdf, xml, should_send_to_nav, should_send_to_fastlege,
                        sent_to_nav, sent_to_fastlege, send_to_fastlege_retry_count, journalpost_id, archive_reference, created,
                        last_changed, migrated, skip_retry)
                    VALUES ($1, '\(row.person)', NULL, '\(row.organization)', $2, '<?xml version="1.0"?><Skjema/>', \(row.shouldSendToNav),
                        false, \(row.shouldSendToNav), false, 0, '610000001', 'AR123456', \(row.created), \(row.lastChanged), true, NULL)
                    """, binds: binds(row.uuid, row.pdf)), logger: TestServices.logger)
    }

    /// Runs the import from `source` into `target`.
    static func runImport(
        from source: DatabaseConfiguration, to target: DatabaseConfiguration, batchSize: Int = 40, dryRun: Bool = false,
        createdSince: String? = nil, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> LegacyImportReport {
        var options = LegacyImporter.Options()
        options.batchSize = batchSize
        options.dryRun = dryRun
        options.createdSince = createdSince
        options.progressInterval = .zero
        return try await LegacyImporter(
            source: try source.connectionConfiguration(), target: try target.connectionConfiguration(), options: options,
            logger: TestServices.logger, progress: progress
        ).run()
    }
}
