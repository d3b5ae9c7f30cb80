import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// A private PostgreSQL cluster for `mottak dev`, run by `scripts/throwaway-postgres.sh` as a
/// child process: the script owns initdb/pg_ctl (one implementation for `make test`,
/// `make run` and this), prints `DATABASE_URL=…` when the server accepts connections, and
/// stops and deletes the cluster when it gets SIGTERM or SIGINT, or when this process dies.
final class ThrowawayPostgres: Service, @unchecked Sendable {
    // @unchecked: `process` is set once in `start` before the object is shared, then only read.
    private let process = Process()
    private let logger: Logger

    /// Starts the script and waits until it printed the URL of the running server.
    static func start(script: String, logger: Logger) async throws -> (ThrowawayPostgres, databaseURL: String) {
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw ConfigurationError(
                variable: "DATABASE_URL",
                problem: "is not set and \(script) (which starts a throwaway PostgreSQL) is missing; run from the repository root or set DATABASE_URL")
        }
        let owner = ThrowawayPostgres(logger: logger)
        let output = Pipe()
        owner.process.executableURL = URL(fileURLWithPath: script)
        owner.process.standardOutput = output
        try owner.process.run()
        let reader = output.fileHandleForReading
        let url: String? = try await NIOThreadPool.singleton.runIfActive {
            var buffered = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { return nil }  // the script ended without a URL
                buffered.append(chunk)
                let lines = String(decoding: buffered, as: UTF8.self).split(separator: "\n")
                if let line = lines.first(where: { $0.hasPrefix("DATABASE_URL=") }) {
                    return String(line.dropFirst("DATABASE_URL=".count))
                }
            }
        }
        guard let url else {
            owner.process.waitUntilExit()
            throw ConfigurationError(variable: "DATABASE_URL", problem: "is not set and the throwaway PostgreSQL did not start (exit \(owner.process.terminationStatus); its messages are above)")
        }
        return (owner, url)
    }

    private init(logger: Logger) {
        self.logger = logger
    }

    func run() async throws {
        try? await gracefulShutdown()
        guard process.isRunning else { return }
        logger.info("stopping the throwaway PostgreSQL")
        process.terminate()
        let process = self.process
        try await NIOThreadPool.singleton.runIfActive { process.waitUntilExit() }
    }
}
