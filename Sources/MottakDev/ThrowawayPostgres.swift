import Foundation
import Logging
import MottakApp
import NIOPosix
import ServiceLifecycle

/// A private PostgreSQL cluster for `mottak-dev`, run by `scripts/throwaway-postgres.sh` as a
/// child process: the script owns initdb/pg_ctl (one implementation for `make test`,
/// `make run` and this), prints `DATABASE_URL=…` when the server accepts connections, and
/// stops and deletes the cluster when its standard input closes. We hold the write end of that
/// pipe: closing it is the shutdown request, and when this process dies, however it dies, the
/// kernel closes it for us (a signal would not reach it then).
final class ThrowawayPostgres: Service, CustomStringConvertible {
    private let child: ChildProcess
    private let logger: Logger
    var description: String { "ThrowawayPostgres" }

    /// Starts the script and waits until it printed the URL of the running server.
    static func start(script: String, logger: Logger) async throws -> (ThrowawayPostgres, databaseURL: String) {
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw ConfigurationError(
                variable: "DATABASE_URL",
                problem: "is not set and \(script) (which starts a throwaway PostgreSQL) is missing; run from the repository root or set DATABASE_URL"
            )
        }
        let child = try ChildProcess.spawn(script, output: .capture, pipeInput: true)
        let reader = child.output!
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
            let status = await child.wait()
            throw ConfigurationError(
                variable: "DATABASE_URL",
                problem: "is not set and the throwaway PostgreSQL did not start (exit \(status); its messages are above)")
        }
        return (ThrowawayPostgres(child: child, logger: logger), url)
    }

    private init(child: ChildProcess, logger: Logger) {
        self.child = child
        self.logger = logger
    }

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("stopping the throwaway PostgreSQL")
        try? child.input?.close()
        _ = await child.wait()
    }
}
