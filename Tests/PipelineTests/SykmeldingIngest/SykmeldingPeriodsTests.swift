import Domain
import Foundation
import Lookup
import PostgresNIO
import Storage
import SykmeldingIngest
import TestSupport
import Testing

/// `sykmelding_period` against real PostgreSQL: replacement, tombstones, the active window.
@Suite(.timeLimit(.minutes(5))) struct SykmeldingPeriodsTests {
    static let today = CalendarDate(iso: "2026-11-27")!

    static func sykmelding(_ id: String, org: String = "123456789", _ periods: [(String, String)]) -> SendtSykmelding {
        SendtSykmelding(
            sykmeldingID: id, employeeIdentificationNumber: "01019012345", organizationNumber: org,
            periods: periods.map { .init(fom: CalendarDate(iso: $0.0)!, tom: CalendarDate(iso: $0.1)!) })
    }

    @Test func aResentOrCorrectedSykmeldingReplacesItsPeriodsAndATombstoneDeletesThem() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let store = SykmeldingPeriods(postgres: postgres, logger: TestServices.logger)
            let active = ActiveSykmeldinger(postgres: postgres, logger: TestServices.logger)
            #expect(
                try await store.replace(Self.sykmelding("a", [("2026-11-01", "2026-11-14"), ("2026-11-15", "2026-12-31")]), today: Self.today) == 2)
            #expect(
                try await store.replace(Self.sykmelding("a", [("2026-11-01", "2026-11-14"), ("2026-11-15", "2026-12-31")]), today: Self.today) == 2)
            #expect(try await PipelineDatabase.count("sykmelding_period", postgres) == 2, "a redelivery adds nothing")
            #expect(try await store.replace(Self.sykmelding("a", org: "987654321", [("2026-11-01", "2026-12-10")]), today: Self.today) == 1)
            #expect(try await active.organizations(employee: "01019012345", today: Self.today) == ["987654321"])
            try await store.replace(Self.sykmelding("b", [("2026-11-20", "2026-11-30")]), today: Self.today)
            try await store.delete(sykmeldingID: "a")
            #expect(try await active.organizations(employee: "01019012345", today: Self.today) == ["123456789"])
        }
    }

    @Test func aPeriodIsActiveFromFomUntilFifteenDaysAfterTom() async throws {
        try await TestServices.withMigratedDatabase { postgres in
            let store = SykmeldingPeriods(postgres: postgres, logger: TestServices.logger)
            let active = ActiveSykmeldinger(postgres: postgres, logger: TestServices.logger)
            // tom = today - 15: still active; tom = today - 16: over (and not even stored).
            #expect(try await store.replace(Self.sykmelding("active", org: "111111111", [("2026-10-01", "2026-11-12")]), today: Self.today) == 1)
            #expect(try await store.replace(Self.sykmelding("over", org: "222222222", [("2026-10-01", "2026-11-11")]), today: Self.today) == 0)
            try await store.replace(Self.sykmelding("future", org: "333333333", [("2026-11-28", "2026-12-20")]), today: Self.today)
            #expect(try await active.organizations(employee: "01019012345", today: Self.today) == ["111111111"])
            // The next day the first period is over and the future one has begun.
            #expect(try await active.organizations(employee: "01019012345", today: CalendarDate(iso: "2026-11-28")!) == ["333333333"])
            #expect(try await active.organizations(employee: "99999999999", today: Self.today).isEmpty)

            // A period is purged on the first day it can no longer be active.
            #expect(try await store.purgeEnded(today: Self.today) == 0)
            #expect(try await store.purgeEnded(today: CalendarDate(iso: "2026-11-28")!) == 1)
        }
    }
}

/// Rows in a table of a pipeline test's database.
enum PipelineDatabase {
    /// A plan's status row as the roles leave it.
    struct StatusRow: Equatable {
        var state: String
        var errorType: String?
        var nav: String
        var gp: String
        var revision: Int
    }

    static func status(_ uuid: UUID, _ postgres: PostgresClient) async throws -> StatusRow? {
        let rows = try await postgres.query(
            "SELECT state, error_type, nav_state, gp_state, revision::int8 FROM plan_status WHERE plan_uuid = \(uuid)", logger: TestServices.logger)
        for try await (state, errorType, nav, gp, revision) in rows.decode((String, String?, String, String, Int).self) {
            return StatusRow(state: state, errorType: errorType, nav: nav, gp: gp, revision: revision)
        }
        return nil
    }

    static func count(_ table: String, _ postgres: PostgresClient) async throws -> Int {
        for try await count in try await postgres.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(table)")).decode(Int.self) {
            return count
        }
        return -1
    }
}
