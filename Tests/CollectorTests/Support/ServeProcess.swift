import Foundation
import Testing

/// `audit serve` running as a child process against a test's PostgreSQL, on a loopback port of its own.
final class ServeProcess {
    let child: ChildProcess
    let logPath: String
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    /// `arguments` are added to `audit serve --db URL --listen 127.0.0.1:PORT`'s (the secret files).
    init(db: String, logPath: String, arguments: [String]) throws {
        self.logPath = logPath
        port = Int.random(in: 30_000...39_999)
        child = try ChildProcess([TestEngine.auditBinary, "serve", "--db", db, "--listen", "127.0.0.1:\(port)", "--log-level", "debug"] + arguments,
                                 stdout: logPath, stderr: logPath)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the listener answers /healthz at all (200 with PostgreSQL, 503 without).
    func waitUntilListening() async throws {
        try await eventually("audit serve listening; log: \(logPath)") {
            try await HTTP.get(base + "/healthz").status != 0
        }
    }

    /// SIGTERM, then the exit status; records an issue when it takes longer than 10 s.
    func stop() async throws -> Int32 {
        child.signal(SIGTERM)
        let signalled = ContinuousClock.now
        while ContinuousClock.now - signalled < .seconds(10) {
            if let status = child.exitStatus() { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        child.signal(SIGKILL)
        Issue.record("audit serve did not stop within 10 s of SIGTERM; log: \(log)")
        return -1
    }

    deinit {
        if child.exitStatus() == nil {
            child.signal(SIGKILL)
            _ = child.waitBlocking()
        }
    }
}

/// Real HTTP through curl: the status, the body and the response headers.
enum HTTP {
    struct Answer {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    static func get(_ url: String) async throws -> Answer {
        try await request(["-X", "GET", url])
    }

    static func post(_ url: String, body: [UInt8], headers: [(String, String)], contentType: String? = "application/json") async throws -> Answer {
        let file = "/tmp/audit-test-body-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(file) }
        try Data(body).write(to: URL(fileURLWithPath: file))
        var arguments = ["-X", "POST", url, "--data-binary", "@" + file]
        if let contentType { arguments += ["-H", "Content-Type: \(contentType)"] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        return try await request(arguments)
    }

    private static func request(_ arguments: [String]) async throws -> Answer {
        let headerFile = "/tmp/audit-test-headers-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(headerFile) }
        // curl exits non-zero when nothing answers: that is status 0 here, not an error.
        let out = (try? await TestEngine.run(["curl", "-s", "-D", headerFile, "-o", "/dev/stdout", "-w", "\n%{http_code}", "--max-time", "10"] + arguments)) ?? "\n0"
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        var headers: [String: String] = [:]
        for line in ((try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? "").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: Int(lines.last ?? "") ?? 0, body: lines.dropLast().joined(separator: "\n"), headers: headers)
    }
}
