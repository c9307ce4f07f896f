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

    /// A reconciliation cut short keeps what it found: each container's change is stored with its new
    /// snapshot (else the next reconciliation compares against the new snapshot and never finds it),
    /// and the gap is kept, marked unreconciled.
    @Test(.timeLimit(.minutes(2))) func aReconciliationCutShortStoresTheChangesItFoundAndAnUnreconciledGap() async throws {
        let host = try TestEngine.requireHost()
        let held = TestEngine.uniqueName("held")
        let changed = TestEngine.uniqueName("changed")
        // Listed newest first: `changed` is inspected before `held`, whose inspect the proxy holds.
        let heldID = try await TestEngine.docker("create", "--network", "none", "--name", held, TestEngine.image, "sleep", "60")
        _ = try await TestEngine.docker("create", "--network", "none", "--memory", "64m", "--name", changed, TestEngine.image, "sleep", "60")
        defer { TestEngine.removeContainer(held); TestEngine.removeContainer(changed) }
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            // Both runs reach the engine through a proxy at one socket path: coverage, and so the gap,
            // is kept per Docker host as the collector names it.
            let socket = dir + "/engine.sock"
            let relay = dir + "/relay.sh"
            func startProxy(holding id: String?) async throws -> ChildProcess {
                try """
                    #!/bin/sh
                    IFS= read -r line
                    case "$line" in *"/containers/\(id ?? "none")/json"*) sleep 3600 ;; esac
                    \(id == nil ? "" : "line=$(printf '%s' \"$line\" | sed 's/since=[0-9.]*&until=\\([0-9.]*\\)/since=\\1\\&until=\\1/')")
                    { printf '%s\\n' "$line"; cat; } | socat - "UNIX-CONNECT:\(host.dropFirst("unix://".count))"
                    """.write(toFile: relay, atomically: true, encoding: .utf8)
                chmod(relay, 0o755)
                unlink(socket)
                let proxy = try ChildProcess(["socat", "UNIX-LISTEN:\(socket),fork", "EXEC:\(relay)"], stdout: "/dev/null", stderr: dir + "/proxy.log")
                try await eventually("proxy listening") { FileManager.default.fileExists(atPath: socket) }
                return proxy
            }
            func stop(_ proxy: ChildProcess) {
                proxy.signal(SIGKILL)
                _ = proxy.waitBlocking()
                TestEngine.cleanup(["pkill", "-f", relay])
            }
            let plain = try await startProxy(holding: nil)
            let first = try CollectorProcess(dbPath: db, dockerHost: "unix://" + socket, logPath: dir + "/first.log")
            try await first.waitUntilLive()
            #expect(try await first.stop() == 0)
            stop(plain)
            _ = try await TestEngine.docker("update", "--memory", "128m", "--memory-swap", "256m", changed)

            // This proxy also drops the catch-up's `since`, as a daemon restart empties its replay
            // buffer: only reconciliation can find the update.
            let proxy = try await startProxy(holding: heldID)
            defer { stop(proxy) }
            let second = try CollectorProcess(dbPath: db, dockerHost: "unix://" + socket, logPath: dir + "/second.log")
            try await eventually("second collector reconciling; log: \(second.logPath)") { second.log.contains("connected to docker engine") }
            try await Task.sleep(for: .seconds(1))
            #expect(!second.log.contains("coverage gap recorded and reconciled"), "the held inspect was not held: \(second.log)")
            #expect(try await second.stop() == 0)

            let events = try await TestEngine.run([TestEngine.auditBinary, "events", "--db", db, "--since", "10m", "--container", changed, "--format", "json"])
            #expect(events.contains("\"action\":\"update\"") && events.contains("reconciliation"), "the update found before the cut was lost: \(events)")
            let status = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", db])
            #expect(status.contains("reconciliation found ? change(s)"), "the gap was not kept as unreconciled: \(status)")
        }
    }
}
