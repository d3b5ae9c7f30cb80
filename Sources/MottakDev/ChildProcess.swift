import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started with `posix_spawn`, for `mottak-dev` (the throwaway PostgreSQL) and
/// the tests that run the `mottak` binary.
///
/// Not Foundation's `Process`: on Linux its `run()` crashes now and then in a process with many
/// open descriptors (an over-read in `findMaximumOpenFromProcSelfFD`, fixed upstream in
/// swift-corelibs-foundation #5472 but in no toolchain here yet); it brought the test suite down
/// once. The child gets its own process group (Ctrl-C in a terminal reaches only us, and we
/// stop it our way), default signal handling and an empty signal mask (the parent blocks the
/// signals ServiceLifecycle handles). Descriptors are inherited as exec leaves them: ours (the
/// pipes here, NIO's and librdkafka's sockets) close on exec.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// The read end of the child's standard output (and standard error, if merged), when captured.
    public let output: FileHandle?
    /// The write end of the child's standard input, when piped; closing it is an end of input.
    public let input: FileHandle?

    public enum Output: Sendable {
        case inherit
        case capture
        /// Standard output and standard error into one pipe.
        case captureMerged
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    private init(pid: pid_t, output: FileHandle?, input: FileHandle?) {
        self.pid = pid
        self.output = output
        self.input = input
    }

    public static func spawn(
        _ executable: String, arguments: [String] = [], environment: [String: String]? = nil, output: Output = .inherit,
        pipeInput: Bool = false
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        if pipeInput {
            try makePipe(&stdinPipe)
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        }
        if output != .inherit {
            try makePipe(&stdoutPipe)
            posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
            if output == .captureMerged { posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 2) }
        }

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = environmentLines.map { strdup($0) } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let error = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // The child has its copies; ours of its ends go.
        if pipeInput { close(stdinPipe[0]) }
        if output != .inherit { close(stdoutPipe[1]) }
        guard error == 0 else {
            if pipeInput { close(stdinPipe[1]) }
            if output != .inherit { close(stdoutPipe[0]) }
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(error)))")
        }
        return ChildProcess(
            pid: pid,
            output: output == .inherit ? nil : FileHandle(fileDescriptor: stdoutPipe[0], closeOnDealloc: true),
            input: pipeInput ? FileHandle(fileDescriptor: stdinPipe[1], closeOnDealloc: true) : nil)
    }

    /// A pipe whose ends close on exec: the child gets only the copies dup2 makes for it, and
    /// no other child inherits them (the throwaway PostgreSQL's lifeline must close when we die).
    private static func makePipe(_ ends: inout [Int32]) throws {
        guard pipe(&ends) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    }

    /// Waits until the child exits; its exit status, or 128 plus the signal that ended it. On a
    /// thread of its own: the child may live as long as we do (the throwaway PostgreSQL), and
    /// must not hold one of the few threads of NIO's blocking-work pool all that time.
    public func wait() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
        }
    }
}
