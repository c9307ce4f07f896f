import AuditStore
import Foundation
import Testing

/// `audit collect` running as a child process, as in production: so tests can SIGTERM it, `kill -9`
/// it, and restart it on the same store.
final class CollectorProcess {
    let child: ChildProcess
    let dbPath: String
    let logPath: String

    /// `arguments` are added to `audit collect`'s (`--notify …`).
    init(dbPath: String, dockerHost: String, logPath: String, arguments: [String] = []) throws {
        self.dbPath = dbPath
        self.logPath = logPath
        child = try ChildProcess([TestEngine.auditBinary, "collect", "--db", dbPath, "--docker-host", dockerHost, "--log-level", "debug"] + arguments,
                                 stdout: logPath, stderr: logPath)
    }

    /// Waits until the collector has reached its live phase `times` times (each connection: catch-up,
    /// reconciliation, live). Nothing is lost before that point either: live resumes from the
    /// connection time.
    func waitUntilLive(times: Int = 1) async throws {
        try await eventually("collector live (\(times)x); log: \(logPath)") {
            log.components(separatedBy: "streaming live events").count - 1 >= times
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status (the collector must flush and exit 0).
    func stop() async throws -> Int32 {
        child.signal(SIGTERM)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let status = child.exitStatus() { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        child.signal(SIGKILL)
        Issue.record("collector did not stop within 20 s of SIGTERM; log: \(log)")
        return -1
    }

    func killHard() async throws {
        child.signal(SIGKILL)
        while child.exitStatus() == nil { try await Task.sleep(for: .milliseconds(20)) }
    }

    deinit {
        if child.exitStatus() == nil {
            child.signal(SIGKILL)
            _ = child.exitStatus()
        }
    }
}
