import AuditSupport
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, its output going to files (no pipes to deadlock on).
/// Foundation's Process can hang in waitUntilExit when several run at once on Linux; this cannot.
struct ChildProcess: Sendable {
    let pid: pid_t

    /// Starts `arguments[0]` (looked up in PATH) with `environment` added to ours.
    init(_ arguments: [String], environment extra: [String: String] = [:], stdout: String, stderr: String) throws {
        var env = TestEngine.environment
        for (k, v) in extra { env[k] = v }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard rc == 0 else { throw SpawnFailed(command: arguments.joined(separator: " "), errno: rc) }
        self.pid = pid
    }

    /// Waits for the exit on a thread of its own and returns the exit status (128+signal if killed).
    func wait() async -> Int32 {
        let pid = self.pid
        return await OwnThread.run("test-wait") {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7F
            return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        }
    }

    /// Blocks the calling thread until exit: only for cleanup in `defer`, which cannot await.
    func waitBlocking() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }

    /// Non-blocking: nil while running.
    func exitStatus() -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    struct SpawnFailed: Error, CustomStringConvertible {
        let command: String
        let errno: Int32
        var description: String { "cannot start \(command): \(String(cString: strerror(errno)))" }
    }
}
