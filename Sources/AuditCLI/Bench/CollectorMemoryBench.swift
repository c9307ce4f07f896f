import ArgumentParser
import AuditSupport
import DockerAPI
#if canImport(Glibc)
import Glibc
#endif

/// `audit bench collector`: starts `audit collect` (this same binary) against an engine with a
/// throw-away store, samples its resident set once a second while it idles on the event stream, then
/// stops it with SIGTERM. Reads only, like the collector itself.
struct CollectorMemoryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "Resident memory of an idle `audit collect` against DOCKER_HOST / --docker-host.")

    @OptionGroup var docker: DockerOptions

    @Option(help: "How many seconds to sample.")
    var seconds: Int = 8

    func run() async throws {
        let host = try docker.resolve()
        let db = "/tmp/audit-bench-collector-\(getpid()).db"
        defer { for suffix in ["", "-wal", "-shm"] { unlink(db + suffix) } }
        let arguments = ["/proc/self/exe", "collect", "--db", db, "--docker-host", host.description]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/proc/self/exe", &actions, nil, argv, environ)
        guard rc == 0 else { throw ValidationError("cannot start audit collect: \(String(cString: strerror(rc)))") }
        defer {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        Terminal.out("audit collect (pid \(pid)) against \(host.description); resident set each second:")
        var last = 0
        for second in 1...max(seconds, 1) {
            try await Task.sleep(for: .seconds(1))
            guard let status = Self.status(of: pid) else { throw ValidationError("audit collect exited; run it by hand to see why") }
            last = status.rss
            Terminal.out("  \(second) s  VmRSS \(status.rss / 1024) MiB (\(status.rss) KiB: anonymous \(status.anon) KiB, file \(status.file) KiB)")
        }
        Terminal.out("idle RSS        \(last) KiB (target ≤ 15 MiB = 15360 KiB)")
    }

    private static func status(of pid: pid_t) -> (rss: Int, anon: Int, file: Int)? {
        let fd = open("/proc/\(pid)/status", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        var values: [String: Int] = [:]
        for line in String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            values[String(parts[0])] = Int(parts[1].filter(\.isNumber))
        }
        guard let rss = values["VmRSS"] else { return nil }
        return (rss, values["RssAnon"] ?? 0, values["RssFile"] ?? 0)
    }
}
