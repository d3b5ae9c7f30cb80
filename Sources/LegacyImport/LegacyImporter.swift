import Domain
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// `mottak import-legacy`: brings the old service's plans over (see RUNBOOK.md "Cut-over").
///
/// Per table, page by page in uuid order (`batchSize` rows, so memory holds one page of PDFs):
/// the source's fingerprints of the page, where each row stands here, the whole rows of those
/// that are new or changed, and one transaction writing them. A crash loses at most the page
/// in flight; the next run finds every earlier page here at its version and moves only what
/// is missing, so resuming is running it again. Then every source row is verified against
/// what is here, both servers hashing their own PDFs.
public struct LegacyImporter: Sendable {
    public struct Options: Sendable {
        public var batchSize = 100
        public var dryRun = false
        /// The old service's `TIMESTAMP`s are Oslo wall-clock time (its image sets `TZ=Europe/Oslo`).
        public var sourceTimeZone = "Europe/Oslo"
        /// Only plans the old service received at or after this wall-clock time (its `created_at`,
        /// `created`; e.g. `2026-11-28`): the cut-over brings the recent plans over first, the
        /// ones an LPS may still ask about, then runs without it for the rest.
        public var createdSince: String?
        /// How often a progress line is printed at most.
        public var progressInterval: Duration = .seconds(2)

        public init() {}
    }

    let source: PostgresConnection.Configuration
    let target: PostgresConnection.Configuration
    let options: Options
    let logger: Logger
    let progress: @Sendable (String) -> Void

    public init(
        source: PostgresConnection.Configuration, target: PostgresConnection.Configuration, options: Options, logger: Logger,
        progress: @escaping @Sendable (String) -> Void
    ) {
        self.source = source
        self.target = target
        self.options = options
        self.logger = logger
        self.progress = progress
    }

    /// Runs the import; throws when it could not finish (the report then is not complete).
    public func run() async throws -> LegacyImportReport {
        let started = ContinuousClock.now
        let source = try await LegacySource.connect(self.source, logger: logger)
        let target: LegacyTarget
        do {
            try await source.checkSchema()
            target = try await LegacyTarget.connect(self.target, sourceTimeZone: options.sourceTimeZone, logger: logger)
        } catch {
            await source.close()
            throw error
        }
        do {
            var report = LegacyImportReport(dryRun: options.dryRun, createdSince: options.createdSince, tables: [])
            for table in LegacyTable.allCases {
                var entry = LegacyImportReport.Table(table)
                var phase = ContinuousClock.now
                try await copy(table, from: source, to: target, into: &entry)
                entry.copying = .now - phase
                if !options.dryRun {
                    phase = .now
                    try await verify(table, source: source, target: target, into: &entry)
                    entry.verifying = .now - phase
                    entry.tally = try await target.tally(table)
                }
                report.tables.append(entry)
            }
            report.elapsed = ContinuousClock.now - started
            await target.close(unlock: true)
            await source.close()
            return report
        } catch {
            await target.close(unlock: false)
            await source.close()
            throw error
        }
    }

    // MARK: Copying

    private func copy(
        _ table: LegacyTable, from source: LegacySource, to target: LegacyTarget, into entry: inout LegacyImportReport.Table
    ) async throws {
        entry.sourceRows = try await source.count(table, since: options.createdSince)
        var meter = ProgressMeter(table: table, total: entry.sourceRows, interval: options.progressInterval, print: progress)
        var after: UUID?
        while true {
            let page = try await source.fingerprints(table, after: after, since: options.createdSince, limit: options.batchSize)
            guard let last = page.last else { break }
            after = last.uuid
            let standings = try await target.standings(table, page)
            var wanted: [UUID] = []
            var replacing: Set<UUID> = []
            for (uuid, _) in page {
                switch standings[uuid] ?? .new {
                case .unchanged: entry.unchanged += 1
                case .collision(let reason):
                    entry.collisions.append((uuid, reason))
                    logger.error("uuid collision", metadata: ["plan_uuid": "\(uuid.lowercasedString)", "table": "\(table)", "reason": "\(reason)"])
                case .changed:
                    replacing.insert(uuid)
                    wanted.append(uuid)
                case .new: wanted.append(uuid)
                }
            }
            if !wanted.isEmpty {
                let written = try await move(table, wanted, replacing: replacing, from: source, to: target, into: &entry)
                let bytes = written.map(\.pdfBytes).reduce(0, +)
                entry.written += written.count
                entry.replaced += written.filter { replacing.contains($0.uuid) }.count
                entry.pdfBytesWritten += bytes
                meter.wrote(plans: written.count, pdfBytes: bytes)
            }
            meter.read(page.count, report: entry)
        }
        meter.finish(report: entry)
    }

    /// Reads the whole rows of `uuids`, refuses the malformed, and writes the rest in one
    /// transaction (none in a dry run). Answers what was written (or would be), with PDF sizes.
    private func move(
        _ table: LegacyTable, _ uuids: [UUID], replacing: Set<UUID>, from source: LegacySource, to target: LegacyTarget,
        into entry: inout LegacyImportReport.Table
    ) async throws -> [(uuid: UUID, pdfBytes: Int)] {
        let zone = options.sourceTimeZone
        switch table {
        case .api:
            return try await write(try await source.apiPlans(uuids), of: table, replacing: replacing, to: target, into: &entry) {
                LegacyStatements.insert($0, sourceTimeZone: zone)
            }
        case .altinn:
            return try await write(try await source.altinnPlans(uuids), of: table, replacing: replacing, to: target, into: &entry) {
                LegacyStatements.insert($0, sourceTimeZone: zone)
            }
        }
    }

    private func write<Row: LegacyRow>(
        _ rows: [Row], of table: LegacyTable, replacing: Set<UUID>, to target: LegacyTarget, into entry: inout LegacyImportReport.Table,
        insert: (Row) -> PostgresQuery
    ) async throws -> [(uuid: UUID, pdfBytes: Int)] {
        var good: [Row] = []
        for row in rows {
            if let reason = row.refusal { entry.refused.append((row.uuid, reason)) } else { good.append(row) }
        }
        var refusedNow: Set<UUID> = []
        if !options.dryRun {
            for refusal in try await target.write(good, of: table, replacing: replacing, uuid: \.uuid, insert: insert) {
                refusedNow.insert(refusal.uuid)
                // A unique violation is a plan that arrived here with this uuid since the page was read.
                if refusal.uniqueViolation {
                    entry.collisions.append((refusal.uuid, "a plan received by this service took this uuid during the import"))
                } else {
                    entry.refused.append((refusal.uuid, refusal.reason))
                }
            }
        }
        return good.filter { !refusedNow.contains($0.uuid) }.map { ($0.uuid, $0.pdf?.readableBytes ?? 0) }
    }

    // MARK: Verifying

    /// Every source row against what is here: at its source version, with the same PDF
    /// (SHA-256, computed by each server), the same case-worker visibility and status answer.
    /// Refused and colliding rows are expected to be absent; any other difference is reported.
    private func verify(_ table: LegacyTable, source: LegacySource, target: LegacyTarget, into entry: inout LegacyImportReport.Table)
        async throws
    {
        let expectedAbsent = Set(entry.refused.map(\.uuid) + entry.collisions.map(\.uuid))
        var after: UUID?
        while true {
            let page = try await source.digests(table, after: after, since: options.createdSince, limit: max(options.batchSize, 500))
            guard let last = page.last else { break }
            after = last.uuid
            let here = try await target.digests(table, page.map(\.uuid))
            for wanted in page {
                guard let found = here[wanted.uuid] else {
                    if !expectedAbsent.contains(wanted.uuid) { entry.differing.append((wanted.uuid, "not here")) }
                    continue
                }
                if let difference = Self.difference(wanted, found) {
                    entry.differing.append((wanted.uuid, difference))
                } else {
                    entry.verified += 1
                }
            }
        }
    }

    static func difference(_ source: LegacyDigest, _ here: LegacyDigest) -> String? {
        if source.fingerprint != here.fingerprint { return "the source row changed since it was imported" }
        if source.pdfSHA256 != here.pdfSHA256 {
            return "the PDF differs (SHA-256 \(source.pdfSHA256 ?? "none") there, \(here.pdfSHA256 ?? "none") here)"
        }
        if source.visibleToCaseWorkers != here.visibleToCaseWorkers {
            return "case workers would \(here.visibleToCaseWorkers ? "" : "not ")see it here"
        }
        if source.sentToNav != here.sentToNav || source.sentToGeneralPractitioner != here.sentToGeneralPractitioner {
            return "the status answer differs"
        }
        return nil
    }
}

/// Progress lines: rows read of the total, written, rates; at most one per interval.
struct ProgressMeter {
    let table: LegacyTable
    let total: Int
    let interval: Duration
    let print: @Sendable (String) -> Void
    let started = ContinuousClock.now
    var lastPrinted = ContinuousClock.now
    var read = 0
    var written = 0
    var pdfBytes = 0

    init(table: LegacyTable, total: Int, interval: Duration, print: @escaping @Sendable (String) -> Void) {
        self.table = table
        self.total = total
        self.interval = interval
        self.print = print
    }

    mutating func wrote(plans: Int, pdfBytes: Int) {
        written += plans
        self.pdfBytes += pdfBytes
    }

    mutating func read(_ rows: Int, report: LegacyImportReport.Table) {
        read += rows
        if ContinuousClock.now - lastPrinted >= interval {
            lastPrinted = .now
            print(line(report))
        }
    }

    func finish(report: LegacyImportReport.Table) { print(line(report)) }

    private func line(_ report: LegacyImportReport.Table) -> String {
        let elapsed = ContinuousClock.now - started
        let seconds = max(elapsed.seconds, 0.001)
        let percent = total == 0 ? 100 : min(100, read * 100 / total)
        let rate = String(format: "%.0f plans/s · %.1f MB/s of PDF", Double(written) / seconds, Double(pdfBytes) / 1_000_000 / seconds)
        return "[\(table)] \(read.grouped)/\(total.grouped) rows (\(percent)%) · written \(written.grouped) · unchanged "
            + "\(report.unchanged.grouped) · refused \(report.refused.count.grouped) · collisions \(report.collisions.count.grouped) · \(rate)"
    }
}

public enum LegacyImportError: Error, CustomStringConvertible {
    case notTheOldSchema(String)
    case targetNotMigrated
    case unknownTimeZone(String)
    case anotherImportRunning

    public var description: String {
        switch self {
        case .notTheOldSchema(let why): "The source is not lps-oppfolgingsplan-mottak's database at its final schema (V15): \(why)."
        case .targetNotMigrated: "This service's database lacks the legacy tables: run `mottak migrate` first (migration 0008)."
        case .unknownTimeZone(let zone): "PostgreSQL does not know the time zone \(zone)."
        case .anotherImportRunning: "Another import-legacy is running against this database (it holds the import's lock); wait for it."
        }
    }
}
