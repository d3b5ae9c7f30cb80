import Logging
import PostgresNIO
import Synchronization

/// Statements run as named prepared statements, parsed and planned once per connection.
///
/// postgres-nio sends every `query` as an unnamed statement, which PostgreSQL parses and plans
/// anew each time: with the roles' statements being CTEs over several tables, planning cost as
/// much server CPU as executing (`make bench-cost`, #28). A prepared statement is parsed once per
/// connection, and after five executions PostgreSQL keeps its generic plan when that is no
/// worse (for these primary-key statements it is), so it is not planned at all.
///
/// postgres-nio prepares a ``PostgresPreparedStatement`` per connection by its type's static
/// name and SQL; our statements are built at run time (the status transitions differ per kind
/// of change). So each distinct text gets a slot, a type of its own (``PreparedSlot``), the
/// first time it runs, and keeps it for the life of the process: a slot never changes its text,
/// so a connection that prepared it runs the same statement. Texts past the last slot run
/// unprepared (a log line says so): only the hot statements use this, a dozen texts and up to 48 slots.
///
/// A parameter's type is fixed when a connection prepares the statement: given by the caller,
/// else taken from the first execution's values (a NULL there leaves PostgreSQL to infer it
/// from the text: keep such a parameter where the column or a cast to `text` decides).
/// postgres-nio keeps a failed preparation for the connection's life, so only statements that
/// cannot fail to prepare (tables made by the migrations before any role starts) belong here.
public enum PreparedStatements {
    /// The slot of each text, in the order they were first run.
    static let registry = Mutex(Registry())

    struct Registry {
        var slots: [String: Int] = [:]
        var texts: [(sql: String, types: [PostgresDataType])] = []
        var warnedFull = false
    }

    /// The slot of `sql`, taken now if it has none; nil when every slot is taken (`firstMiss`:
    /// this is the first text left out, worth a warning).
    static func slot(for sql: String, types: [PostgresDataType]) -> (index: Int?, firstMiss: Bool) {
        registry.withLock { registry in
            if let index = registry.slots[sql] { return (index, false) }
            guard registry.texts.count < slotTypes.count else {
                defer { registry.warnedFull = true }
                return (nil, !registry.warnedFull)
            }
            registry.texts.append((sql, types))
            registry.slots[sql] = registry.texts.count - 1
            return (registry.texts.count - 1, false)
        }
    }

    /// The text and parameter types `slot` was given (read by its type on every run).
    static func text(of slot: Int) -> (sql: String, types: [PostgresDataType]) {
        registry.withLock { $0.texts[slot] }
    }

    /// Runs `query` in its slot's prepared statement (`prepared`), or `unprepared` when it has none.
    static func run(
        _ query: PostgresQuery, types: [PostgresDataType], logger: Logger,
        unprepared: () async throws -> [PostgresRow],
        prepared: (any PreparedSlotExecution) async throws -> [PostgresRow]
    ) async throws -> [PostgresRow] {
        let (slot, firstMiss) = slot(for: query.sql, types: types)
        guard let index = slot else {
            if firstMiss {
                logger.warning(
                    "every prepared-statement slot is taken; statements beyond them run unprepared",
                    metadata: ["slots": "\(slotTypes.count)", "sql": "\(query.sql.prefix(120))"])
            }
            return try await unprepared()
        }
        return try await prepared(slotTypes[index].init(bindings: query.binds))
    }

    /// The slot types, one per text.
    static let slotTypes: [any PreparedSlotExecution.Type] = [
        PreparedSlot<S0>.self, PreparedSlot<S1>.self, PreparedSlot<S2>.self, PreparedSlot<S3>.self, PreparedSlot<S4>.self, PreparedSlot<S5>.self,
        PreparedSlot<S6>.self, PreparedSlot<S7>.self, PreparedSlot<S8>.self, PreparedSlot<S9>.self, PreparedSlot<S10>.self, PreparedSlot<S11>.self,
        PreparedSlot<S12>.self, PreparedSlot<S13>.self, PreparedSlot<S14>.self, PreparedSlot<S15>.self, PreparedSlot<S16>.self,
        PreparedSlot<S17>.self,
        PreparedSlot<S18>.self, PreparedSlot<S19>.self, PreparedSlot<S20>.self, PreparedSlot<S21>.self, PreparedSlot<S22>.self,
        PreparedSlot<S23>.self,
        PreparedSlot<S24>.self, PreparedSlot<S25>.self, PreparedSlot<S26>.self, PreparedSlot<S27>.self, PreparedSlot<S28>.self,
        PreparedSlot<S29>.self,
        PreparedSlot<S30>.self, PreparedSlot<S31>.self, PreparedSlot<S32>.self, PreparedSlot<S33>.self, PreparedSlot<S34>.self,
        PreparedSlot<S35>.self,
        PreparedSlot<S36>.self, PreparedSlot<S37>.self, PreparedSlot<S38>.self, PreparedSlot<S39>.self, PreparedSlot<S40>.self,
        PreparedSlot<S41>.self,
        PreparedSlot<S42>.self, PreparedSlot<S43>.self, PreparedSlot<S44>.self, PreparedSlot<S45>.self, PreparedSlot<S46>.self,
        PreparedSlot<S47>.self,
    ]
}

/// A slot's statement with one execution's values, runnable on a pool or on a connection.
protocol PreparedSlotExecution: Sendable {
    init(bindings: PostgresBindings)
    func rows(on client: PostgresClient, logger: Logger) async throws -> [PostgresRow]
    func rows(on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow]
}

/// The number of a slot, as a type (postgres-nio names a prepared statement by its type).
protocol SlotNumber: Sendable { static var index: Int { get } }

/// The statement in slot `Number`: its text is the one ``PreparedStatements`` gave that slot.
struct PreparedSlot<Number: SlotNumber>: PostgresPreparedStatement, PreparedSlotExecution {
    typealias Row = PostgresRow
    static var name: String { "mottak_\(Number.index)" }
    static var sql: String { PreparedStatements.text(of: Number.index).sql }
    static var bindingDataTypes: [PostgresDataType] { PreparedStatements.text(of: Number.index).types }

    let bindings: PostgresBindings
    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }

    func rows(on client: PostgresClient, logger: Logger) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in try await client.execute(self, logger: logger) { rows.append(row) }
        return rows
    }

    func rows(on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in try await connection.execute(self, logger: logger) { rows.append(row) }
        return rows
    }
}

extension PostgresClient {
    /// Runs `query` as a prepared statement (``PreparedStatements``) and returns its rows.
    /// `types`: its parameters' types, when a first execution's NULL could not tell them.
    public func prepared(_ query: PostgresQuery, types: [PostgresDataType] = [], logger: Logger) async throws -> [PostgresRow] {
        try await PreparedStatements.run(
            query, types: types, logger: logger,
            unprepared: { try await collect(try await self.query(query, logger: logger)) },
            prepared: { try await $0.rows(on: self, logger: logger) })
    }
}

extension PostgresConnection {
    /// ``PostgresClient/prepared(_:types:logger:)`` on this connection (in its transaction).
    public func prepared(_ query: PostgresQuery, types: [PostgresDataType] = [], logger: Logger) async throws -> [PostgresRow] {
        try await PreparedStatements.run(
            query, types: types, logger: logger,
            unprepared: { try await collect(try await self.query(query, logger: logger)) },
            prepared: { try await $0.rows(on: self, logger: logger) })
    }
}

private func collect(_ rows: PostgresRowSequence) async throws -> [PostgresRow] {
    var collected: [PostgresRow] = []
    for try await row in rows { collected.append(row) }
    return collected
}

// The slots' numbers.
enum S0: SlotNumber { static let index = 0 }
enum S1: SlotNumber { static let index = 1 }
enum S2: SlotNumber { static let index = 2 }
enum S3: SlotNumber { static let index = 3 }
enum S4: SlotNumber { static let index = 4 }
enum S5: SlotNumber { static let index = 5 }
enum S6: SlotNumber { static let index = 6 }
enum S7: SlotNumber { static let index = 7 }
enum S8: SlotNumber { static let index = 8 }
enum S9: SlotNumber { static let index = 9 }
enum S10: SlotNumber { static let index = 10 }
enum S11: SlotNumber { static let index = 11 }
enum S12: SlotNumber { static let index = 12 }
enum S13: SlotNumber { static let index = 13 }
enum S14: SlotNumber { static let index = 14 }
enum S15: SlotNumber { static let index = 15 }
enum S16: SlotNumber { static let index = 16 }
enum S17: SlotNumber { static let index = 17 }
enum S18: SlotNumber { static let index = 18 }
enum S19: SlotNumber { static let index = 19 }
enum S20: SlotNumber { static let index = 20 }
enum S21: SlotNumber { static let index = 21 }
enum S22: SlotNumber { static let index = 22 }
enum S23: SlotNumber { static let index = 23 }
enum S24: SlotNumber { static let index = 24 }
enum S25: SlotNumber { static let index = 25 }
enum S26: SlotNumber { static let index = 26 }
enum S27: SlotNumber { static let index = 27 }
enum S28: SlotNumber { static let index = 28 }
enum S29: SlotNumber { static let index = 29 }
enum S30: SlotNumber { static let index = 30 }
enum S31: SlotNumber { static let index = 31 }
enum S32: SlotNumber { static let index = 32 }
enum S33: SlotNumber { static let index = 33 }
enum S34: SlotNumber { static let index = 34 }
enum S35: SlotNumber { static let index = 35 }
enum S36: SlotNumber { static let index = 36 }
enum S37: SlotNumber { static let index = 37 }
enum S38: SlotNumber { static let index = 38 }
enum S39: SlotNumber { static let index = 39 }
enum S40: SlotNumber { static let index = 40 }
enum S41: SlotNumber { static let index = 41 }
enum S42: SlotNumber { static let index = 42 }
enum S43: SlotNumber { static let index = 43 }
enum S44: SlotNumber { static let index = 44 }
enum S45: SlotNumber { static let index = 45 }
enum S46: SlotNumber { static let index = 46 }
enum S47: SlotNumber { static let index = 47 }
