import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM stops the collector within 2 s whatever it is doing, including waiting on an inspect the
/// engine never answers (a hung daemon, thousands of containers to reconcile).
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct ShutdownTests {
    @Test(.timeLimit(.minutes(1))) func sigtermDuringAReconciliationWaitingOnAHungInspectExitsWithinTwoSeconds() async throws {
        let host = try TestEngine.requireHost()
        let name = TestEngine.uniqueName("hung-inspect")
        _ = try await TestEngine.docker("create", "--network", "none", "--name", name, TestEngine.image, "sleep", "60")
        defer { TestEngine.removeContainer(name) }
        try await withTemporaryDirectory { dir in
            // Relays every request to the engine except a container inspect, which it holds forever.
            let relay = dir + "/stall-inspect.sh"
            try """
                #!/bin/sh
                IFS= read -r line
                case "$line" in *"/containers/"*"/json"*) sleep 3600 ;; esac
                { printf '%s\\n' "$line"; cat; } | socat - "UNIX-CONNECT:\(host.dropFirst("unix://".count))"
                """.write(toFile: relay, atomically: true, encoding: .utf8)
            chmod(relay, 0o755)
            let socket = dir + "/stall.sock"
            let proxy = try ChildProcess(["socat", "UNIX-LISTEN:\(socket),fork", "EXEC:\(relay)"], stdout: "/dev/null", stderr: dir + "/proxy.log")
            defer {
                proxy.signal(SIGKILL)
                _ = proxy.waitBlocking()
                TestEngine.cleanup(["pkill", "-f", relay])
            }
            try await eventually("proxy listening") { FileManager.default.fileExists(atPath: socket) }
            let collector = try CollectorProcess(dbPath: dir + "/audit.db", dockerHost: "unix://" + socket, logPath: dir + "/collect.log")
            try await eventually("collector reconciling; log: \(collector.logPath)") { collector.log.contains("connected to docker engine") }
            try await Task.sleep(for: .milliseconds(500))   // inside the inspect the proxy holds
            #expect(!collector.log.contains("baseline taken"), "the inspect was not held: \(collector.log)")
            let started = ContinuousClock.now
            let status = try await collector.stop()
            let took = ContinuousClock.now - started
            #expect(status == 0, "\(collector.log)")
            #expect(took < .seconds(2), "SIGTERM took \(took) to stop the collector; log: \(collector.log)")
        }
    }
}
