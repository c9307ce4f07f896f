import AuditStore
import Foundation
import Testing

/// Restarting dockerd under a running collector. This test starts an engine of its own (same script,
/// another directory), so restarting it cannot disturb the engine the other tests share.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs a private dockerd (scripts/test)"))
struct DaemonRestartTests {
    @Test func reconnectsAfterTheEngineRestartsAndRecordsTheGap() async throws {
        _ = try TestEngine.requireHost()
        let engineDir = "/tmp/audit-docker-restart-\(UInt16.random(in: 0...UInt16.max))"
        let script = TestEngine.packageRoot + "/scripts/docker-private"
        let env = ["AUDIT_DOCKER_DIR": engineDir]
        let host = "unix://\(engineDir)/docker.sock"
        try await TestEngine.run([script, "start"], environment: env)
        defer {
            TestEngine.cleanup([script, "stop"], environment: env)
            TestEngine.cleanup(["/bin/rm", "-rf", engineDir])
        }
        try await TestEngine.run([script, "image"], environment: env)

        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            let before = try await TestEngine.docker("run", "-d", "--network", "none", TestEngine.image, "sleep", "600", host: host)

            try await TestEngine.run([script, "stop"], environment: env)
            try await Task.sleep(for: .seconds(1))
            try await TestEngine.run([script, "start"], environment: env)
            try await collector.waitUntilLive(times: 2)

            // Events flow again after the reconnect.
            let after = try await TestEngine.docker("run", "-d", "--network", "none", TestEngine.image, "true", host: host)
            let reader = try StoreReader(path: db)
            try await eventually("events of the container started after the restart") {
                try reader.events(EventQuery(sinceNs: 0, untilNs: .max, container: after)).contains { $0.action == "die" }
            }
            #expect(try await collector.stop() == 0)

            let status = try reader.status()
            #expect(status.intervalCount == 2)
            #expect(status.gapCount == 1)
            let gap = try #require(status.recentGaps.first)
            #expect(gap.toNs > gap.fromNs)
            #expect(gap.cause.contains("closed the event stream") || gap.cause.contains("cannot reach"), "cause: \(gap.cause)")
            // The engine stopped `before` (no restart policy): reconciliation saw it die in the gap.
            let reconciled = try reader.events(EventQuery(sinceNs: 0, untilNs: .max, container: before)).filter { $0.source == .reconciliation }
            #expect(reconciled.contains { $0.action == "die" }, "reconciled: \(reconciled.map(\.action))")
            #expect(collector.log.components(separatedBy: "docker engine unavailable").count - 1 <= 1, "a state change is logged once, not per retry")
        }
    }
}
