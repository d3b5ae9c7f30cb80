import Crypto
import Domain
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Writes a submitted plan: the plan row, its `RECEIVED` status row and the outbox row of its
/// `followupplan.received` event, atomically.
///
/// The three inserts (four with an `Idempotency-Key`) are one SQL statement of data-modifying
/// CTEs: one statement is one transaction in PostgreSQL, and it costs one round trip instead of
/// five (`BEGIN`, three inserts, `COMMIT`). Foreign keys are checked at the end of the
/// statement, so the order of the CTEs does not matter to them.
public struct PlanStore: Sendable {
    /// What storing a submission did.
    public enum Outcome: Sendable, Equatable {
        /// A new plan was stored.
        case stored(UUID)
        /// The organisation already used this `Idempotency-Key` for the same plan: nothing new
        /// was stored; the answer is the first plan's.
        case alreadyStored(UUID)
        /// The organisation already used this key for a different plan: nothing was stored.
        case keyUsedForAnotherPlan(UUID)
    }

    /// An `Idempotency-Key` header as the store needs it: the key and a digest of the request
    /// it came with, to tell a retry (same digest) from a reuse for another plan.
    public struct IdempotencyClaim: Sendable, Equatable {
        public var key: String
        public var requestDigest: String

        public init(key: String, requestDigest: String) {
            self.key = key
            self.requestDigest = requestDigest
        }

        /// A claim of `key` for `plan`, whichever front door it came through.
        public init(key: String, plan: FollowUpPlanDTO) {
            self.init(key: key, requestDigest: Self.digest(plan))
        }

        /// SHA-256 of the plan's canonical JSON: a retry with the same plan matches even when
        /// the client serialised it with other spacing or property order.
        public static func digest(_ plan: FollowUpPlanDTO) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let canonical = (try? encoder.encode(plan)) ?? Data()
            return SHA256.hash(data: canonical).map { String(format: "%02x", $0) }.joined()
        }
    }

    let postgres: PostgresClient
    let topics: EventTopics
    let logger: Logger

    /// `topics.received` names the topic of the outbox event a stored plan gets.
    public init(postgres: PostgresClient, topics: EventTopics, logger: Logger) {
        self.postgres = postgres
        self.topics = topics
        self.logger = logger
    }

    /// Stores `submission` with its status and outbox rows, or, when `idempotency` names a key
    /// the same LPS used before for the same employer (through the same front door), stores
    /// nothing and says which plan has it.
    /// `callID` travels with the event as a header, so logs of later roles can be joined.
    ///
    /// With `connectionWait`, throws ``ConnectionWaitExceeded`` (nothing sent, nothing stored)
    /// when no connection is free within it; the statement itself is never cut short.
    public func store(
        _ submission: PlanSubmission, idempotency: IdempotencyClaim?, callID: String?, traceHeaders: [(String, String)] = [],
        connectionWait: Duration = .seconds(60)
    ) async throws -> Outcome {
        let query = Self.insertQuery(
            submission, idempotency: idempotency, callID: callID, traceHeaders: traceHeaders, outboxTopic: topics.received)
        return try await postgres.withConnection(leasedWithin: connectionWait) { [logger] connection in
            let rows = try await connection.query(query, logger: logger)
            var inserted = 0
            for try await count in rows.decode(Int.self) { inserted = count }
            if inserted == 1 { return .stored(submission.uuid) }

            // Only an idempotency conflict inserts nothing: the key's row exists (its transaction
            // committed before ours could insert, or ON CONFLICT would have waited for it).
            guard let idempotency else { throw PlanStoreError.nothingInserted }
            let existing = try await connection.query(
                """
                SELECT plan_uuid, request_sha256 FROM idempotency_key
                WHERE organization_number = \(submission.employerOrgNumber) AND lps_org_number = \(submission.lpsOrgNumber)
                    AND front_door = \(submission.frontDoor.rawValue) AND idempotency_key = \(idempotency.key)
                """, logger: logger)
            for try await (uuid, digest) in existing.decode((UUID, String).self) {
                return digest == idempotency.requestDigest ? .alreadyStored(uuid) : .keyUsedForAnotherPlan(uuid)
            }
            throw PlanStoreError.nothingInserted
        }
    }

    /// Whether the plan `uuid` is stored: the intake's check after a connection lost mid-answer.
    /// Nil when that cannot be told within `limit`: the whole check is bounded, and a check
    /// still running then is left to finish on its own.
    ///
    /// Asked on a connection of its own (`direct`, the database's settings) when given, not of
    /// the pool: right after one of its leased connections was lost, postgres-nio's pool
    /// (1.33.2) sometimes never hands out a connection again to that lease, cancelled or not,
    /// although others are idle (the ambiguous-commit test, 1 run in 6 to 10; the same wedge is
    /// the lead for the rare hangs of the test suite, see docs/development.md).
    public func isStored(_ uuid: UUID, within limit: Duration, direct: DatabaseConfiguration? = nil) async -> Bool? {
        let (postgres, logger) = (self.postgres, self.logger)
        let deadline = ContinuousClock.now + limit
        let sql: PostgresQuery = "SELECT count(*)::int8 FROM followup_plan WHERE uuid = \(uuid)"
        @Sendable func count(on connection: PostgresConnection) async throws -> Bool {
            for try await count in try await connection.query(sql, logger: logger).decode(Int.self) { return count == 1 }
            return false
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool?, Never>) in
            let first = FirstAnswer(continuation)
            Task {
                while ContinuousClock.now < deadline {
                    do {
                        if let direct {
                            let connection = try await PostgresConnection.connect(
                                configuration: try direct.connectionConfiguration(), id: 0, logger: logger)
                            defer { Task { try? await connection.close() } }
                            first.answer(try await count(on: connection))
                        } else {
                            first.answer(try await postgres.withConnection(leasedWithin: deadline - .now) { try await count(on: $0) })
                        }
                        return
                    } catch {
                        logger.info("looking the plan up after a lost connection failed", metadata: ["error": "\(LoggedError.text(error))"])
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                first.answer(nil)
            }
        }
    }

    /// Resumes a continuation with the first answer given; later ones are dropped.
    private final class FirstAnswer: Sendable {
        private let continuation: Mutex<CheckedContinuation<Bool?, Never>?>

        init(_ continuation: CheckedContinuation<Bool?, Never>) { self.continuation = Mutex(continuation) }

        func answer(_ value: Bool?) {
            continuation.withLock { pending in
                defer { pending = nil }
                return pending
            }?.resume(returning: value)
        }
    }

    /// The statement: optionally claim the key, then the plan (only when the key was claimed),
    /// its status and its outbox event; answers how many plans it inserted (0 or 1).
    static func insertQuery(
        _ submission: PlanSubmission, idempotency: IdempotencyClaim?, callID: String?, traceHeaders: [(String, String)] = [],
        outboxTopic: String
    ) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: 34)
        let sql = insertSQL(
            submission, idempotency: idempotency, callID: callID, traceHeaders: traceHeaders, outboxTopic: outboxTopic, values: &bindings)
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The statement the intake runs for `submission`, with its values written as SQL literals
    /// and a new uuid per run: the benchmark gives it to pgbench, so that both sides of the
    /// comparison execute the very same transaction.
    public static func benchmarkStatement(_ submission: PlanSubmission, outboxTopic: String = EventTopics.local.received) -> String {
        var literals = LiteralValues()
        return insertSQL(submission, idempotency: nil, callID: nil, outboxTopic: outboxTopic, values: &literals)
    }

    static func insertSQL(
        _ submission: PlanSubmission, idempotency: IdempotencyClaim?, callID: String?, traceHeaders: [(String, String)] = [],
        outboxTopic: String, values bindings: inout some StatementValues
    ) -> String {
        let plan = submission.plan
        let event = submission.receivedEvent.jsonBody
        var headers = [("event-type", PlanReceivedEvent.eventType)]
        if let callID { headers.append(("nav-call-id", callID)) }
        // W3C trace context (traceparent, tracestate): the plan's trace continues on Kafka.
        headers += traceHeaders
        let headerJSON = OrderedJSON.object(headers)

        var sql = "WITH "
        if let idempotency {
            sql += """
                claimed AS (
                    INSERT INTO idempotency_key (organization_number, lps_org_number, front_door, idempotency_key, request_sha256, plan_uuid)
                    VALUES (\(bindings.next(submission.employerOrgNumber)), \(bindings.next(submission.lpsOrgNumber)),
                            \(bindings.next(submission.frontDoor.rawValue)), \(bindings.next(idempotency.key)),
                            \(bindings.next(idempotency.requestDigest)), \(bindings.next(submission.uuid)))
                    ON CONFLICT DO NOTHING RETURNING plan_uuid
                ),

                """
        }
        // Every placeholder is cast: in `SELECT … FROM claimed` PostgreSQL cannot infer the type
        // of a NULL parameter from the target column and would take it for text.
        let columns: [(name: String, placeholder: String)] = [
            ("uuid", bindings.next(submission.uuid) + "::uuid"),
            ("employer_org_number", bindings.next(submission.employerOrgNumber) + "::text"),
            ("lps_org_number", bindings.next(submission.lpsOrgNumber) + "::text"),
            ("submitted_via", bindings.next(submission.frontDoor.rawValue) + "::text"),
            ("employee_identification_number", bindings.next(plan.employeeIdentificationNumber) + "::text"),
            ("typical_workday", bindings.next(plan.typicalWorkday) + "::text"),
            ("tasks_that_can_still_be_done", bindings.next(plan.tasksThatCanStillBeDone) + "::text"),
            ("tasks_that_can_not_be_done", bindings.next(plan.tasksThatCanNotBeDone) + "::text"),
            ("previous_facilitation", bindings.next(plan.previousFacilitation) + "::text"),
            ("planned_facilitation", bindings.next(plan.plannedFacilitation) + "::text"),
            ("other_facilitation_options", bindings.next(plan.otherFacilitationOptions) + "::text"),
            ("follow_up", bindings.next(plan.followUp) + "::text"),
            ("evaluation_date", bindings.next(plan.evaluationDate.description) + "::date"),
            ("send_plan_to_nav", bindings.next(plan.sendPlanToNav) + "::boolean"),
            ("needs_help_from_nav", bindings.next(plan.needsHelpFromNav) + "::boolean"),
            ("needs_help_from_nav_description", bindings.next(plan.needsHelpFromNavDescription) + "::text"),
            ("send_plan_to_general_practitioner", bindings.next(plan.sendPlanToGeneralPractitioner) + "::boolean"),
            ("message_to_general_practitioner", bindings.next(plan.messageToGeneralPractitioner) + "::text"),
            ("additional_information", bindings.next(plan.additionalInformation) + "::text"),
            ("contact_person_full_name", bindings.next(plan.contactPersonFullName) + "::text"),
            ("contact_person_phone_number", bindings.next(plan.contactPersonPhoneNumber) + "::text"),
            ("contact_person_email", bindings.next(plan.contactPersonEmail) + "::text"),
            ("employee_has_contributed_to_plan", bindings.next(plan.employeeHasContributedToPlan) + "::boolean"),
            (
                "employee_has_not_contributed_to_plan_description",
                bindings.next(plan.employeeHasNotContributedToPlanDescription) + "::text"
            ),
            ("lps_name", bindings.next(plan.lpsName) + "::text"),
            ("lps_email", bindings.next(plan.lpsEmail) + "::text"),
        ]
        let values = columns.map(\.placeholder).joined(separator: ", ")
        sql += """
            plan AS (
                INSERT INTO followup_plan (\(columns.map(\.name).joined(separator: ", ")))
                \(idempotency == nil ? "VALUES (\(values))" : "SELECT \(values) FROM claimed")
                RETURNING uuid
            ),
            status AS (
                INSERT INTO plan_status (plan_uuid, nav_state, gp_state)
                SELECT uuid, \(bindings.next(submission.initialNavState.rawValue))::text, \(bindings.next(submission.initialGeneralPractitionerState.rawValue))::text
                FROM plan
            ),
            event AS (
                INSERT INTO outbox (topic, message_key, payload, headers)
                SELECT \(bindings.next(outboxTopic))::text, uuid::text, \(bindings.next(event))::jsonb, \(bindings.next(headerJSON))::jsonb
                FROM plan
            )
            SELECT count(*)::int8 FROM plan
            """
        return sql
    }
}

public enum PlanStoreError: Error, CustomStringConvertible {
    case nothingInserted

    public var description: String { "the plan statement inserted nothing and no idempotency key explains why" }
}

/// Where a statement's values go: bound parameters for the intake, literals for pgbench.
/// Each call answers the SQL text that stands for the value.
protocol StatementValues {
    mutating func next(_ value: String?) -> String
    mutating func next(_ value: Bool?) -> String
    mutating func next(_ value: UUID) -> String
}

/// Numbered placeholders (`$1`, `$2`, …) handed out as values are bound, so a statement that
/// is assembled in parts cannot get its numbering wrong.
extension PostgresBindings: StatementValues {
    mutating func next(_ value: String?) -> String { bind(value) }
    mutating func next(_ value: Bool?) -> String { bind(value) }
    mutating func next(_ value: UUID) -> String { bind(value) }

    private mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        if let value { append(value) } else { appendNull() }
        return "$\(count)"
    }
}

/// SQL literals; every uuid becomes `gen_random_uuid()` so each run inserts a new plan.
/// Strings are E-strings with `:` written `\x3a`, because pgbench would take `:name` (as in
/// the event's JSON `"sendPlanToNav":true`) for one of its variables.
struct LiteralValues: StatementValues {
    mutating func next(_ value: String?) -> String {
        guard let value else { return "NULL" }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
            .replacingOccurrences(of: ":", with: "\\x3a")
        return "E'" + escaped + "'"
    }

    mutating func next(_ value: Bool?) -> String { value.map { $0 ? "true" : "false" } ?? "NULL" }
    mutating func next(_ value: UUID) -> String { "gen_random_uuid()" }
}

extension PlanStore {
    /// What the lookup needs to know about a stored plan.
    public struct LookupFacts: Sendable, Equatable {
        public var employeeIdentificationNumber: String
        public var employerOrgNumber: String
    }

    /// The lookup's facts of plan `uuid`, or nil when there is no such plan.
    public func lookupFacts(_ uuid: UUID) async throws -> LookupFacts? {
        let rows = try await postgres.query(
            "SELECT employee_identification_number, employer_org_number FROM followup_plan WHERE uuid = \(uuid)", logger: logger)
        for try await (employee, employer) in rows.decode((String, String).self) {
            return LookupFacts(employeeIdentificationNumber: employee, employerOrgNumber: employer)
        }
        return nil
    }
}

extension PlanStore {
    /// A stored plan with the organisations it was submitted under.
    public struct StoredPlan: Sendable, Equatable {
        public var uuid: UUID
        public var employerOrgNumber: String
        public var lpsOrgNumber: String
        public var plan: FollowUpPlanDTO
    }

    /// The whole plan `uuid`, or nil when there is no such plan. For the channels' PDF.
    public func plan(_ uuid: UUID) async throws -> StoredPlan? {
        let rows = try await postgres.query(
            """
            SELECT employer_org_number, lps_org_number, employee_identification_number, typical_workday, tasks_that_can_still_be_done,
                   tasks_that_can_not_be_done, previous_facilitation, planned_facilitation, other_facilitation_options, follow_up,
                   evaluation_date::text, send_plan_to_nav, needs_help_from_nav, needs_help_from_nav_description,
                   send_plan_to_general_practitioner, message_to_general_practitioner, additional_information, contact_person_full_name,
                   contact_person_phone_number, contact_person_email, employee_has_contributed_to_plan,
                   employee_has_not_contributed_to_plan_description, lps_name, lps_email
            FROM followup_plan WHERE uuid = \(uuid)
            """, logger: logger)
        for try await row in rows {
            let columns = row.makeRandomAccess()
            func text(_ index: Int) throws -> String { try columns[index].decode(String.self) }
            func optionalText(_ index: Int) throws -> String? { try columns[index].decode(String?.self) }
            let plan = FollowUpPlanDTO(
                employeeIdentificationNumber: try text(2), typicalWorkday: try text(3), tasksThatCanStillBeDone: try text(4),
                tasksThatCanNotBeDone: try text(5), previousFacilitation: try text(6), plannedFacilitation: try text(7),
                otherFacilitationOptions: try optionalText(8), followUp: try text(9), evaluationDate: CalendarDate(iso: try text(10))!,
                sendPlanToNav: try columns[11].decode(Bool.self), needsHelpFromNav: try columns[12].decode(Bool?.self),
                needsHelpFromNavDescription: try optionalText(13), sendPlanToGeneralPractitioner: try columns[14].decode(Bool.self),
                messageToGeneralPractitioner: try optionalText(15), additionalInformation: try optionalText(16),
                contactPersonFullName: try text(17), contactPersonPhoneNumber: try text(18), contactPersonEmail: try text(19),
                employeeHasContributedToPlan: try columns[20].decode(Bool.self),
                employeeHasNotContributedToPlanDescription: try optionalText(21), lpsName: try text(22), lpsEmail: try optionalText(23))
            return StoredPlan(uuid: uuid, employerOrgNumber: try text(0), lpsOrgNumber: try text(1), plan: plan)
        }
        return nil
    }

    /// The plan's PDF, when one was stored.
    public func pdf(_ uuid: UUID) async throws -> [UInt8]? {
        let rows = try await postgres.query("SELECT pdf FROM plan_pdf WHERE plan_uuid = \(uuid)", logger: logger)
        for try await pdf in rows.decode(ByteBuffer.self) { return Array(buffer: pdf) }
        return nil
    }

    /// Stores `pdf` unless one is stored already; returns the one that is stored now (the first
    /// one wins, so both channels send the same document).
    public func storePDF(_ pdf: [UInt8], for uuid: UUID) async throws -> [UInt8] {
        try await postgres.query(
            "INSERT INTO plan_pdf (plan_uuid, pdf) VALUES (\(uuid), \(ByteBuffer(bytes: pdf))) ON CONFLICT (plan_uuid) DO NOTHING",
            logger: logger)
        return try await self.pdf(uuid) ?? pdf
    }
}
