import Foundation
import Testing

/// The private Docker engine the integration tests use: `scripts/test` starts it and exports
/// AUDIT_TEST_DOCKER_HOST. Tests never touch /var/run/docker.sock. Without the engine the tests are
/// skipped on a developer machine, but fail under CI=true: CI must never go green by skipping them.
enum TestEngine {
    static let environment = ProcessInfo.processInfo.environment
    static let host: String? = environment["AUDIT_TEST_DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = environment["CI"] == "true"
    /// Run the suite when the engine is there, and under CI always (where its absence must fail).
    static let enabled = host != nil || isCI
    static let image = "audit-test/busybox:1"

    static var packageRoot: String {
        let file = #filePath
        return String(file[..<file.range(of: "/Tests/")!.lowerBound])
    }

    /// The `audit` binary `swift build` produced (scripts/test builds before testing).
    static var auditBinary: String {
        environment["AUDIT_BIN"] ?? packageRoot + "/.build/debug/audit"
    }

    static func requireHost() throws -> String {
        try #require(host != nil, "CI=true but AUDIT_TEST_DOCKER_HOST is not set: run the tests through scripts/test, which starts a private dockerd")
        return host!
    }

    /// Runs the docker CLI against `host`, returning stdout; throws with stderr on failure.
    @discardableResult
    static func docker(_ arguments: String..., host: String? = nil) async throws -> String {
        try await run(["docker"] + arguments, environment: ["DOCKER_HOST": host ?? requireHost()])
    }

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let base = "/tmp/audit-test-cmd-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(base + ".out"); unlink(base + ".err") }
        let child = try ChildProcess(arguments, environment: environment, stdout: base + ".out", stderr: base + ".err")
        let status = await child.wait()
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw CommandFailed(command: arguments.joined(separator: " "), status: status,
                                stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "", stdout: output)
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Synchronous best-effort cleanup for `defer` blocks (which cannot await).
    static func cleanup(_ arguments: [String], environment: [String: String] = [:]) {
        guard let child = try? ChildProcess(arguments, environment: environment, stdout: "/dev/null", stderr: "/dev/null") else { return }
        _ = child.waitBlocking()
    }

    static func removeContainer(_ id: String, host: String? = nil) {
        guard let host = host ?? self.host else { return }
        cleanup(["docker", "rm", "-f", id], environment: ["DOCKER_HOST": host])
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        let stderr: String
        /// What it printed before failing: a checking command's report.
        var stdout = ""
        var description: String { "\(command) exited \(status): \(stderr)" }
    }

    /// A name no other test (or earlier run) uses.
    static func uniqueName(_ prefix: String) -> String {
        "audit-\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// Polls `condition` until it holds or `timeout` passes; records a failure naming `what` on timeout.
func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    if try await condition() { return }
    Issue.record("timed out after \(timeout) waiting for: \(what)")
    throw TimedOut(what: what)
}

struct TimedOut: Error { let what: String }

/// A scratch directory removed after the body.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let dir = "/tmp/audit-test-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try await body(dir)
}
