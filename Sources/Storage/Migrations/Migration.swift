import Crypto
import Foundation

/// One numbered SQL file of `migrations/`, e.g. `0001_initial_schema.sql`.
public struct Migration: Sendable, Equatable {
    /// The number before the first underscore; migrations run in ascending order.
    public let version: Int
    /// The rest of the file name without `.sql`, for people reading the history table.
    public let name: String
    /// The file name without `.sql` (`0001_initial_schema`), how people refer to a migration.
    public let identifier: String
    public let sql: String
    /// SHA-256 of the file's bytes, hex. An applied migration whose file changed is refused.
    public let checksum: String

    public init(version: Int, name: String, sql: String, identifier: String? = nil) {
        self.version = version
        self.name = name
        self.identifier = identifier ?? "\(version)_\(name)"
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads every `*.sql` file of `directory`, sorted by version.
    ///
    /// A file that does not follow `NNNN_name.sql`, or two files with one version, is an error
    /// rather than something silently skipped: a migration that never runs is a production bug.
    public static func load(from directory: URL) throws(MigrationError) -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .directoryUnreadable(path: directory.path, reason: "\(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        var fileOfVersion: [Int: String] = [:]
        for file in files.sorted() where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let separator = stem.firstIndex(of: "_"), let version = Int(stem[..<separator]), version > 0,
                stem[..<separator].allSatisfy(\.isASCII)
            else {
                throw .badFileName(file)
            }
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path),
                let sql = String(data: data, encoding: .utf8)
            else {
                throw .directoryUnreadable(path: directory.appendingPathComponent(file).path, reason: "not readable as UTF-8")
            }
            if let clash = fileOfVersion[version] {
                throw .duplicateVersion(version, files: [clash, file])
            }
            fileOfVersion[version] = file
            migrations.append(
                Migration(version: version, name: String(stem[stem.index(after: separator)...]), sql: sql, identifier: String(stem)))
        }
        guard !migrations.isEmpty else { throw .noMigrations(path: directory.path) }
        return migrations.sorted { $0.version < $1.version }
    }
}

/// Why migrations could not be read or applied. Each case says what an operator should look at.
public enum MigrationError: Error, Equatable, CustomStringConvertible {
    case directoryUnreadable(path: String, reason: String)
    /// The folder holds no migration: most likely MIGRATIONS_DIR points at the wrong place.
    case noMigrations(path: String)
    case badFileName(String)
    case duplicateVersion(Int, files: [String])
    /// The file of an applied migration was edited after it ran.
    case checksumMismatch(version: Int, name: String, applied: String, file: String)
    /// A migration older than the newest applied one has not run (merged out of order).
    case outOfOrder(version: Int, name: String, newestApplied: Int)
    case statementFailed(version: Int, name: String, statement: Int, reason: String)

    public var description: String {
        switch self {
        case .directoryUnreadable(let path, let reason):
            "cannot read migrations at \(path): \(reason)"
        case .noMigrations(let path):
            "no migration files (NNNN_name.sql) in \(path); check MIGRATIONS_DIR"
        case .badFileName(let file):
            "migration file '\(file)' does not follow NNNN_name.sql (a positive number, an underscore, a name)"
        case .duplicateVersion(let version, let files):
            "migration version \(version) is used by more than one file: \(files.joined(separator: ", "))"
        case .checksumMismatch(let version, let name, let applied, let file):
            "migration \(version) (\(name)) was edited after it was applied (checksum in database \(applied), file \(file)); "
                + "never change an applied migration, add a new one"
        case .outOfOrder(let version, let name, let newestApplied):
            "migration \(version) (\(name)) has not been applied but \(newestApplied) has; renumber it above \(newestApplied)"
        case .statementFailed(let version, let name, let statement, let reason):
            "migration \(version) (\(name)) failed in statement \(statement) and was rolled back: \(reason)"
        }
    }
}
