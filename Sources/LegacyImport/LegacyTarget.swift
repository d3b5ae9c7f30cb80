import Domain
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// This service's database, as the import writes it: one connection of its own (outside the
/// service's pools), holding the import's advisory lock for the whole run, writing one short
/// transaction per batch. Live plans are never touched: a uuid the import did not bring
/// (`legacy_import`) is a collision, reported, never overwritten.
struct LegacyTarget: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// The zone of the old service's wall-clock `TIMESTAMP`s (its image's `TZ`).
    let sourceTimeZone: String

    /// The advisory lock key of the import ("mottak:i" as bytes): two runs at once would each
    /// take the other's fresh rows for collisions.
    static let advisoryLockKey: Int64 = 0x6D6F_7474_616B_3A69

    static func connect(
        _ configuration: PostgresConnection.Configuration, sourceTimeZone: String, logger: Logger
    ) async throws -> LegacyTarget {
        var configuration = configuration
        configuration.options.additionalStartupParameters = [("application_name", "mottak import-legacy")]
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
        let target = LegacyTarget(connection: connection, logger: logger, sourceTimeZone: sourceTimeZone)
        do {
            try await target.checkReady()
        } catch {
            try? await connection.close()
            throw error
        }
        return target
    }

    /// Refuses a database without this service's legacy tables (migrations not applied), a
    /// time zone PostgreSQL does not know, and a second import running at the same time.
    private func checkReady() async throws {
        let tables = try await connection.query("SELECT to_regclass('legacy_import') IS NOT NULL", logger: logger)
        for try await ready in tables.decode(Bool.self) where !ready {
            throw LegacyImportError.targetNotMigrated
        }
        let zones = try await connection.query("SELECT count(*)::int8 FROM pg_timezone_names WHERE name = \(sourceTimeZone)", logger: logger)
        for try await count in zones.decode(Int.self) where count == 0 {
            throw LegacyImportError.unknownTimeZone(sourceTimeZone)
        }
        // A run that just ended (or was killed) holds the lock until its server session notices;
        // a few seconds tell that from a run that is still going.
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let lock = try await connection.query("SELECT pg_try_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            var taken = false
            for try await answer in lock.decode(Bool.self) { taken = answer }
            if taken { return }
            guard ContinuousClock.now < deadline else { throw LegacyImportError.anotherImportRunning }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// `unlock` gives the lock back first (closing alone frees it only once the server has seen
    /// the session end, which a run started right after could beat). Only on a healthy
    /// connection: after a connection-level error postgres-nio never answers another query.
    func close(unlock: Bool) async {
        if unlock { _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger) }
        try? await connection.close()
    }

    // MARK: Where each source row stands

    /// Where a source row stands against this database.
    enum Standing: Sendable, Equatable {
        /// Not here: to be written.
        case new
        /// Here at this version: nothing to do.
        case unchanged
        /// Imported before at another version (or its plan is gone): to be replaced.
        case changed
        /// The uuid is taken by something the import did not bring from this table.
        case collision(String)
    }

    func standings(_ table: LegacyTable, _ page: [(uuid: UUID, fingerprint: String)]) async throws -> [UUID: Standing] {
        let rows = try await connection.query(
            """
            SELECT u.uuid, i.source_table, i.source_fingerprint,
                   EXISTS (SELECT 1 FROM followup_plan p WHERE p.uuid = u.uuid),
                   EXISTS (SELECT 1 FROM legacy_altinn_plan a WHERE a.uuid = u.uuid)
            FROM unnest(\(page.map(\.uuid))::uuid[]) AS u(uuid) LEFT JOIN legacy_import i ON i.plan_uuid = u.uuid
            """, logger: logger)
        let fingerprints = Dictionary(page.map { ($0.uuid, $0.fingerprint) }) { first, _ in first }
        var standings: [UUID: Standing] = [:]
        for try await (uuid, source, fingerprint, inPlans, inAltinn) in rows.decode((UUID, String?, String?, Bool, Bool).self) {
            let present = table == .api ? inPlans : inAltinn
            switch source {
            case table.rawValue?:
                standings[uuid] = fingerprint == fingerprints[uuid] && present ? .unchanged : .changed
            case let other?:
                standings[uuid] = .collision("the same uuid is a plan of \(other), imported before")
            case nil where inPlans:
                standings[uuid] = .collision("a plan received by this service has this uuid")
            case nil where inAltinn:
                standings[uuid] = .collision("an Altinn plan here has this uuid, but the import did not bring it")
            case nil:
                standings[uuid] = .new
            }
        }
        return standings
    }

    // MARK: Writing

    /// A row the database refused, and why.
    struct Refusal: Sendable {
        var uuid: UUID
        var reason: String
        /// The uuid is taken (primary key, or the trigger that keeps old Altinn uuids).
        var uniqueViolation: Bool
    }

    /// Writes `plans` (replacing the earlier import of each uuid in `replacing`) in one
    /// transaction. When a row breaks a constraint (or holds a value PostgreSQL cannot take), the
    /// batch is written again row by row and each such row is refused with PostgreSQL's reason,
    /// so one odd row can never stop every later run; any other error is thrown.
    func write<Plan: Sendable>(
        _ plans: [Plan], of table: LegacyTable, replacing: Set<UUID>, uuid: (Plan) -> UUID, insert: (Plan) -> PostgresQuery
    ) async throws -> [Refusal] {
        do {
            try await inTransaction {
                try await deleteEarlierImports(of: table, plans.map(uuid).filter(replacing.contains))
                for plan in plans { try await connection.query(insert(plan), logger: logger) }
            }
            return []
        } catch let error as PSQLError where Self.isRowRefusal(error) {
            logger.info("a row of the batch was refused; writing it row by row", metadata: ["error": "\(Self.reason(error))"])
        }
        var refused: [Refusal] = []
        for plan in plans {
            do {
                try await inTransaction {
                    try await deleteEarlierImports(of: table, replacing.contains(uuid(plan)) ? [uuid(plan)] : [])
                    try await connection.query(insert(plan), logger: logger)
                }
            } catch let error as PSQLError where Self.isRowRefusal(error) {
                refused.append(
                    Refusal(
                        uuid: uuid(plan), reason: "refused by the database: \(Self.reason(error))",
                        uniqueViolation: error.serverInfo?[.sqlState] == "23505"))
            }
        }
        return refused
    }

    /// Rolls back only after an error the server sent (the connection is alive, the transaction
    /// aborted). After a lost connection the server has rolled back already, and postgres-nio
    /// 1.33.2 never answers a query sent on a connection the server closed (seen here: the
    /// ROLLBACK waited forever).
    private func inTransaction(_ body: () async throws -> Void) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await body()
            try await connection.query("COMMIT", logger: logger)
        } catch let error as PSQLError where error.serverInfo != nil {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Deletes what an earlier run imported for `uuids` (only rows `legacy_import` says the
    /// import brought from `table`; a plan's status and PDF go with it by their foreign keys).
    private func deleteEarlierImports(of table: LegacyTable, _ uuids: [UUID]) async throws {
        guard !uuids.isEmpty else { return }
        let target = table == .api ? "followup_plan" : "legacy_altinn_plan"
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    DELETE FROM \(target) t USING legacy_import i
                    WHERE i.plan_uuid = t.uuid AND i.source_table = $1 AND t.uuid = ANY($2)
                    """,
                binds: {
                    var binds = PostgresBindings()
                    binds.append(table.rawValue)
                    binds.append(uuids)
                    return binds
                }()), logger: logger)
    }

    /// Integrity constraint violations (class 23) and data exceptions (class 22: a value out of
    /// range, a date PostgreSQL cannot read): the row's fault, not the run's.
    static func isRowRefusal(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("23") || state.hasPrefix("22")
    }

    static func reason(_ error: PSQLError) -> String {
        [error.serverInfo?[.message], error.serverInfo?[.detail]].compactMap { $0 }.joined(separator: ": ")
    }

    // MARK: Verification

    /// What is here for `uuids`, as ``LegacyDigest``s (hashed by this server); a uuid the
    /// import did not bring from `table` is absent.
    func digests(_ table: LegacyTable, _ uuids: [UUID]) async throws -> [UUID: LegacyDigest] {
        let sql: String =
            switch table {
            case .api:
                """
                SELECT u.uuid, i.source_fingerprint, encode(sha256(d.pdf), 'hex'), p.send_plan_to_nav AND d.plan_uuid IS NOT NULL,
                       s.nav_state = 'SENT', s.gp_state = 'SENT'
                FROM unnest($1::uuid[]) AS u(uuid)
                JOIN legacy_import i ON i.plan_uuid = u.uuid AND i.source_table = 'FOLLOW_UP_PLAN_LPS_V1'
                JOIN followup_plan p ON p.uuid = u.uuid
                JOIN plan_status s ON s.plan_uuid = u.uuid
                LEFT JOIN plan_pdf d ON d.plan_uuid = u.uuid
                """
            case .altinn:
                """
                SELECT u.uuid, i.source_fingerprint, encode(sha256(a.pdf), 'hex'), a.should_send_to_nav AND a.pdf IS NOT NULL,
                       NULL::boolean, NULL::boolean
                FROM unnest($1::uuid[]) AS u(uuid)
                JOIN legacy_import i ON i.plan_uuid = u.uuid AND i.source_table = 'ALTINN_LPS'
                JOIN legacy_altinn_plan a ON a.uuid = u.uuid
                """
            }
        var binds = PostgresBindings()
        binds.append(uuids)
        var digests: [UUID: LegacyDigest] = [:]
        for try await (uuid, fingerprint, pdf, visible, nav, gp) in try await connection.query(
            PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger
        ).decode((UUID, String, String?, Bool, Bool?, Bool?).self) {
            digests[uuid] = LegacyDigest(
                uuid: uuid, fingerprint: fingerprint, pdfSHA256: pdf, visibleToCaseWorkers: visible, sentToNav: nav, sentToGeneralPractitioner: gp)
        }
        return digests
    }

    /// The imported plans of `table` here, counted by what a reader sees.
    func tally(_ table: LegacyTable) async throws -> [(what: String, count: Int)] {
        let sql: String =
            switch table {
            case .api:
                """
                WITH imported AS (
                    SELECT s.state, s.nav_state, s.gp_state, d.plan_uuid IS NOT NULL AS has_pdf
                    FROM legacy_import i JOIN plan_status s ON s.plan_uuid = i.plan_uuid LEFT JOIN plan_pdf d ON d.plan_uuid = i.plan_uuid
                    WHERE i.source_table = 'FOLLOW_UP_PLAN_LPS_V1'
                )
                SELECT 1 AS part, state AS what, count(*)::int8 FROM imported GROUP BY state
                UNION ALL SELECT 2, 'NAV ' || nav_state, count(*) FROM imported GROUP BY nav_state
                UNION ALL SELECT 3, 'GP ' || gp_state, count(*) FROM imported GROUP BY gp_state
                UNION ALL SELECT 4, 'with a PDF', count(*) FROM imported WHERE has_pdf
                ORDER BY part, what
                """
            case .altinn:
                """
                SELECT 1, 'shown to case workers', count(*)::int8 FROM legacy_altinn_plan WHERE should_send_to_nav AND pdf IS NOT NULL
                UNION ALL SELECT 2, 'with a PDF', count(*) FROM legacy_altinn_plan WHERE pdf IS NOT NULL
                UNION ALL SELECT 3, 'sent to NAV (its flag)', count(*) FROM legacy_altinn_plan WHERE sent_to_nav
                UNION ALL SELECT 4, 'sent to the GP (its flag)', count(*) FROM legacy_altinn_plan WHERE sent_to_fastlege
                """
            }
        var tally: [(what: String, count: Int)] = []
        for try await (_, what, count) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode((Int, String, Int).self) {
            tally.append((what, count))
        }
        return tally
    }
}
