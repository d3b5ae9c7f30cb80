import Foundation

/// What a run of the import did and found, per table, and the verification's result.
public struct LegacyImportReport: Sendable {
    public struct Table: Sendable {
        public var table: LegacyTable
        public var sourceRows = 0
        public var written = 0
        /// Of `written`: rows imported before at another version, replaced.
        public var replaced = 0
        public var unchanged = 0
        public var pdfBytesWritten = 0
        public var refused: [(uuid: UUID, reason: String)] = []
        public var collisions: [(uuid: UUID, reason: String)] = []
        /// The verification: source rows found here at their version, with the same PDF,
        /// case-worker visibility and status answer.
        public var verified = 0
        public var differing: [(uuid: UUID, reason: String)] = []
        /// This database's imported plans of the table, by what readers see.
        public var tally: [(what: String, count: Int)] = []
        /// How long the copy and the verification of the table took.
        public var copying: Duration = .zero
        public var verifying: Duration = .zero

        init(_ table: LegacyTable) { self.table = table }
    }

    public var dryRun: Bool
    /// The run's `--created-since`, when it had one: the counts are of those rows only.
    public var createdSince: String?
    public var tables: [Table]
    public var elapsed: Duration = .zero

    public var collisions: Int { tables.map(\.collisions.count).reduce(0, +) }
    public var differing: Int { tables.map(\.differing.count).reduce(0, +) }
    public var written: Int { tables.map(\.written).reduce(0, +) }

    /// The command's exit status: 0 when every row is here or refused for a reason (reported);
    /// 2 when a uuid collided (the source may be the wrong database); 3 when the verification
    /// found a row that is not here as the source has it.
    public var exitStatus: Int32 {
        if collisions > 0 { return 2 }
        if differing > 0 { return 3 }
        return 0
    }

    /// The report an operator reads at the end of a run.
    public var text: String {
        var lines: [String] = []
        let seconds = elapsed.seconds
        lines.append(dryRun ? "Dry run: nothing was written. What a run would do:" : "Import of the previous service's plans:")
        if let createdSince { lines.append("Only plans the previous service received since \(createdSince) (its wall-clock time).") }
        for table in tables {
            lines.append("\(table.table): \(table.sourceRows.grouped) row(s) in the source")
            let verb = dryRun ? "would write" : "written"
            lines.append(
                "  \(verb) \(table.written.grouped) (of which \(table.replaced.grouped) replacing an earlier import of a changed row), "
                    + "already here unchanged \(table.unchanged.grouped), refused \(table.refused.count.grouped), "
                    + "collisions \(table.collisions.count.grouped)")
            if !table.tally.isEmpty {
                lines.append("  here now: " + table.tally.map { "\($0.what) \($0.count.grouped)" }.joined(separator: " · "))
            }
            lines.append(
                "  " + String(format: "copied in %.1f s, verified in %.1f s", table.copying.seconds, table.verifying.seconds))
            if !dryRun {
                lines.append(
                    "  verified: \(table.verified.grouped) identical here (source version, PDF SHA-256, shown to case workers"
                        + (table.table == .api ? ", status answer)" : ")") + ", \(table.differing.count.grouped) differing")
            }
            for (uuid, reason) in table.refused { lines.append("  refused \(uuid.uuidString.lowercased()): \(reason)") }
            for (uuid, reason) in table.collisions { lines.append("  COLLISION \(uuid.uuidString.lowercased()): \(reason)") }
            for (uuid, reason) in table.differing { lines.append("  DIFFERS \(uuid.uuidString.lowercased()): \(reason)") }
        }
        let megabytes = Double(tables.map(\.pdfBytesWritten).reduce(0, +)) / 1_000_000
        lines.append("\(written.grouped) plan(s) and " + String(format: "%.1f MB of PDF written in %.1f s.", megabytes, seconds))
        if !dryRun && written == 0 && collisions == 0 && differing == 0 {
            lines.append("Nothing changed: every row was already here at its version (or is refused, as listed).")
        }
        switch exitStatus {
        case 2:
            lines.append(
                "REFUSED: \(collisions) uuid(s) of the source are taken here by plans the import did not bring. The old service made random uuids: is --from the right database? Nothing was overwritten."
            )
        case 3: lines.append("VERIFICATION FAILED: \(differing) row(s) are not here as the source has them (listed). Run the import again.")
        default: lines.append(dryRun ? "Complete (dry run)." : "Complete: every row of the source is here, or refused for the reason listed.")
        }
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Int {
    /// 12,345: counts an operator reads.
    var grouped: String {
        let digits = String(Swift.abs(self))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return self < 0 ? "-" + out : out
    }
}
