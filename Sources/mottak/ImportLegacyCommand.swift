import ArgumentParser
import Foundation
import LegacyImport
import Logging
import MottakApp
import Storage

/// `mottak import-legacy --from <postgres URL>`: the cut-over's import of the previous
/// service's plans into this service's database (`DATABASE_URL`). RUNBOOK.md "Cut-over".
struct ImportLegacyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-legacy",
        abstract: "Bring the plans of lps-oppfolgingsplan-mottak (read only) into this service's database as final plans.",
        discussion: """
            Reads FOLLOW_UP_PLAN_LPS_V1 and ALTINN_LPS of the old service's database and writes them here, page by page; \
            safe to run again (a second run writes nothing that is already here at its version, and resumes an interrupted one). \
            Ends with a verification of every row against what is here, both databases hashing their own PDFs.
            Exit status: 0 complete (refused malformed rows are listed); 1 could not finish (run it again); \
            2 an uuid of the source is taken here by a plan the import did not bring (nothing overwritten: is it the right database?); \
            3 the verification found rows that are not here as the source has them.
            """)

    @Option(
        name: .long,
        help:
            "The old service's database as a postgres:// URL (its read-only user will do). Default: LEGACY_DATABASE_URL, which keeps the password out of the process list."
    )
    var from: String?

    @Flag(name: .long, help: "Read both databases and report what a run would write; write nothing.")
    var dryRun = false

    @Option(name: .long, help: "Rows per page and transaction; memory holds one page of PDFs (~200 KB each).")
    var batchSize = 100

    @Option(name: .long, help: "The time zone of the old service's TIMESTAMP columns (its image's TZ).")
    var sourceTimeZone = "Europe/Oslo"

    @Option(
        name: .long,
        help: "Only plans the old service received at or after this time of its own (e.g. 2026-11-28): the recent ones first, at the switch.")
    var createdSince: String?

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 10000") }
        if let createdSince, createdSince.range(of: #"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$"#, options: .regularExpression) == nil {
            throw ValidationError("--created-since must be a date or a date and time: 2026-11-28 or 2026-11-28T14:00")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try AppConfiguration(environment: environment, mode: .dev)
        let logger = makeLogger(configuration)
        guard let target = configuration.database else {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "is not set (nor GCP_DB_*), so there is no database to import into")
        }
        guard let url = from ?? environment["LEGACY_DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("Name the old service's database: --from <postgres URL> or LEGACY_DATABASE_URL.")
        }
        let source: DatabaseConfiguration
        do {
            source = try DatabaseConfiguration(url: url)
        } catch {
            throw ValidationError("--from: \(error)")
        }
        var options = LegacyImporter.Options()
        options.batchSize = batchSize
        options.dryRun = dryRun
        options.sourceTimeZone = sourceTimeZone
        options.createdSince = createdSince
        let importer = LegacyImporter(
            source: try source.connectionConfiguration(), target: try target.connectionConfiguration(), options: options, logger: logger
        ) { line in print(line) }
        let report: LegacyImportReport
        do {
            report = try await importer.run()
        } catch {
            print("The import could not finish: \(LoggedError.text(error))")
            print("Every page written before is kept and verified by the next run: run it again to go on.")
            throw ExitCode(1)
        }
        print(report.text)
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}
