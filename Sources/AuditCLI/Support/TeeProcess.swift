import AuditSupport
import DockerAPI
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command with its output passed through to ours unchanged, keeping a copy of what it printed
/// (compose reports the containers it touched on stderr). Used by `audit deploy`.
enum TeeProcess {
    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    static func run(_ arguments: [String]) async throws -> Result {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw TeeError("cannot create pipes: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw TeeError("cannot run \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        let (outRead, errRead) = (outPipe[0], errPipe[0])
        async let stdout = OwnThread.run("tee-out") { copy(from: outRead, to: 1) }
        async let stderr = OwnThread.run("tee-err") { copy(from: errRead, to: 2) }
        let texts = await [stdout, stderr]
        let child = pid
        let status = await OwnThread.run("tee-wait") { () -> Int32 in
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7F
            return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        }
        return Result(status: status, output: texts.joined(separator: "\n"))
    }

    /// Copies `fd` to `target` until EOF, returning what passed (the first 4 MiB).
    private static func copy(from fd: Int32, to target: Int32) -> String {
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer.withUnsafeBytes { _ = write(target, $0.baseAddress, n) }
            if kept.count < 4 << 20 { kept += buffer[0..<n] }
        }
        close(fd)
        return String(decoding: kept, as: UTF8.self)
    }

    struct TeeError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
