import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// A private PostgreSQL cluster for `mottak dev`, run by `scripts/throwaway-postgres.sh` as a
/// child process: the script owns initdb/pg_ctl (one implementation for `make test`,
/// `make run` and this), prints `DATABASE_URL=…` when the server accepts connections, and
/// stops and deletes the cluster when its standard input closes. We hold the write end of that
/// pipe: closing it is the shutdown request, and when this process dies, however it dies, the
/// kernel closes it for us. (A signal would not do: a process that handles SIGTERM through
/// ServiceLifecycle blocks it, and Foundation passes the blocked mask on to the child.)
final class ThrowawayPostgres: Service, CustomStringConvertible, @unchecked Sendable {
    // @unchecked: `process` is configured in `start` before the object is shared, then only
    // read or signalled (Process is thread-safe for that); `exited` is an AsyncStream.
    private let process = Process()
    private let lifeline = Pipe()
    /// Finishes when the child exits. Foundation's `waitUntilExit()` spins a run loop and, on
    /// Linux, can wait forever off the main thread; the termination handler is reliable.
    private let exited: AsyncStream<Void>
    private let logger: Logger
    var description: String { "ThrowawayPostgres" }

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
        owner.process.standardInput = owner.lifeline
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
            for await _ in owner.exited {}
            throw ConfigurationError(
                variable: "DATABASE_URL",
                problem: "is not set and the throwaway PostgreSQL did not start (exit \(owner.process.terminationStatus); its messages are above)")
        }
        return (owner, url)
    }

    private init(logger: Logger) {
        self.logger = logger
        let (exited, continuation) = AsyncStream.makeStream(of: Void.self)
        self.exited = exited
        process.terminationHandler = { _ in continuation.finish() }
    }

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("stopping the throwaway PostgreSQL")
        try? lifeline.fileHandleForWriting.close()
        for await _ in exited {}
    }
}
