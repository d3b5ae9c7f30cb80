import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import Storage

/// The hot statements run prepared: parsed once per connection, each text in a slot of its own.
@Suite(.timeLimit(.minutes(2))) struct PreparedStatementsTests {
    @Test func aStatementIsPreparedOnceOnItsConnectionAndRunsAgainFromThere() async throws {
        try await TestServices.withMigratedDatabase { client in
            try await client.withConnection { connection in
                let query: PostgresQuery = "SELECT \(41)::int8 + 1 AS answer /* prepared-test-1 */"
                for _ in 0..<3 {
                    let rows = try await connection.prepared(query, logger: TestServices.logger)
                    #expect(try rows.map { try $0.decode(Int.self) } == [42])
                }
                let prepared = try await connection.query(
                    "SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '%prepared-test-1%'", logger: TestServices.logger)
                var found: [(String, String)] = []
                for try await row in prepared.decode((String, String).self) { found.append(row) }
                #expect(found.count == 1, "one prepared statement for three runs: \(found)")
                #expect(found.first?.0.hasPrefix("mottak_") == true)
                #expect(found.first?.1 == query.sql)
            }
        }
    }

    @Test func aTextKeepsItsSlotAndAnotherTextGetsAnother() {
        let first = PreparedStatements.slot(for: "SELECT 1 /* prepared-test-2a */", types: []).index
        let second = PreparedStatements.slot(for: "SELECT 1 /* prepared-test-2b */", types: []).index
        #expect(first != nil && second != nil)
        #expect(first != second)
        #expect(PreparedStatements.slot(for: "SELECT 1 /* prepared-test-2a */", types: []).index == first)
        #expect(PreparedStatements.text(of: first!).sql == "SELECT 1 /* prepared-test-2a */")
    }

    /// A parameter whose first value is NULL gets its type from where it stands; later values
    /// of that type still bind (a lookup first runs with no date of its own, a test with one).
    @Test func aNullFirstThenAValueBindsBothTimes() async throws {
        try await TestServices.withMigratedDatabase { client in
            try await client.withConnection { connection in
                func run(_ day: String?) async throws -> String {
                    let query: PostgresQuery = "SELECT coalesce(\(day)::text::date, DATE '2000-01-01')::text /* prepared-test-3 */"
                    return try await connection.prepared(query, logger: TestServices.logger).first!.decode(String.self)
                }
                let answers = [try await run(nil), try await run("2026-12-05"), try await run(nil)]
                #expect(answers == ["2000-01-01", "2026-12-05", "2000-01-01"])
            }
        }
    }

    /// On the pool, a prepared statement's rows come back and its connection returns to the pool.
    @Test func onThePoolEveryRunGivesItsRowsAndTheConnectionBack() async throws {
        try await TestServices.withMigratedDatabase { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await client.prepared("SELECT \(index)::int8 /* prepared-test-4 */", logger: TestServices.logger).first!.decode(Int.self)
                    }
                }
                var seen: Set<Int> = []
                for try await value in group { seen.insert(value) }
                #expect(seen == Set(0..<50))
            }
        }
    }
}
