import AuditStore
import AuditSupport
import Foundation
import Testing

/// Retention as an operator runs it: `audit prune` once, and the collector pruning on its schedule.
@Suite(.serialized) struct RetentionEndToEndTests {
    static let probeFamily = ["exec_create", "exec_start", "exec_die", "health_status"]

    @Test func auditPruneDeletesOldProbesKeepsThePersonAndSaysSoInTheReport() async throws {
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let now = Timestamp.now().nanoseconds
            try await AgedStore.write(db, nowNs: now)
            let sevenDaysAgo = now - 7 * AgedStore.dayNs
            #expect(try AgedStore.count(db, olderThan: sevenDaysAgo, actions: Self.probeFamily) > 13 * 144 * 4)

            let output = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", db, "--retention", "15d", "--probe-retention", "7d"])
            #expect(output.contains("health-probe events") && output.contains("pages given back"), "\(output)")
            // The person's exec of ten days ago stays (its hour keeps its exec events); the probes before the cut-off hour go.
            let cutoffHour = sevenDaysAgo / 3_600_000_000_000 * 3_600_000_000_000
            #expect(try AgedStore.count(db, olderThan: cutoffHour, actions: ["health_status"]) == 0)
            #expect(try AgedStore.count(db, olderThan: cutoffHour, actions: ["exec_start"]) == 7, "the person's and the six probes of that hour")
            #expect(try AgedStore.count(db, olderThan: now, actions: ["exec_start"]) > 7 * 144)

            let report = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", db, "--since", "30d"])
            #expect(report.contains("were pruned by retention"), "\(report)")
            #expect(report.contains(AgedStore.person), "the person's exec is still a finding: \(report)")
            let status = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", db])
            #expect(status.contains("health-probe events before"), "\(status)")

            // A second run finds nothing left to do.
            let again = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", db, "--retention", "15d", "--probe-retention", "7d"])
            #expect(again.contains("pruned      0 events, 0 health-probe events, 0 other rows"), "\(again)")
        }
    }

    @Test func aStoreMadeWithoutIncrementalVacuumIsToldAndConvertedByVacuum() async throws {
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            try await AgedStore.write(db, nowNs: Timestamp.now().nanoseconds)
            // As a store made before retention existed: no auto-vacuum.
            try Database(path: db).execute("PRAGMA auto_vacuum = NONE; VACUUM;")
            #expect(try StoreReader(path: db).givesSpaceBack() == false)
            let before = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", db, "--probe-retention", "7d"])
            #expect(before.contains("made without incremental vacuum") && before.contains("0 pages given back"), "\(before)")
            let converted = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", db, "--vacuum"])
            #expect(!converted.contains("made without incremental vacuum"), "\(converted)")
            #expect(try StoreReader(path: db).givesSpaceBack())
        }
    }

    @Test func aRetentionTypoInTheConfigurationNamesFileLineAndKey() async throws {
        try await withTemporaryDirectory { dir in
            let config = dir + "/audit.yaml"
            try "db: \(dir)/audit.db\nretention: 90 days\n".write(toFile: config, atomically: true, encoding: .utf8)
            for command in [["prune", "--db", dir + "/audit.db"], ["config", "check"]] {
                do {
                    try await TestEngine.run([TestEngine.auditBinary] + command + ["--config", config])
                    Issue.record("\(command[0]) accepted \"retention: 90 days\"")
                } catch let failure as TestEngine.CommandFailed {
                    #expect(failure.status == 2 && failure.stderr.contains("\(config):2: retention: \"90 days\" is not a retention period"), "\(failure.stderr)")
                }
            }
            // Minutes, not months: refused, and the message says so.
            do {
                try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", dir + "/audit.db", "--retention", "3m"])
                Issue.record("audit prune accepted --retention 3m")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 64 || failure.status == 2, "\(failure.status)")
                #expect(failure.stderr.contains("--retention \"3m\" is shorter than 7d") && failure.stderr.contains("m is minutes"), "\(failure.stderr)")
            }
            try "retention: 0\nprobe-retention: 2w\n".write(toFile: config, atomically: true, encoding: .utf8)
            let check = try await TestEngine.run([TestEngine.auditBinary, "config", "check", "--config", config])
            #expect(check.contains("probe-retention") && check.contains("2w"), "\(check)")
        }
    }

    @Test(.enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
    func theCollectorPrunesOnItsScheduleWhileItStreams() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let now = Timestamp.now().nanoseconds
            try await AgedStore.write(db, nowNs: now)
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collector.log",
                                                 arguments: ["--retention", "15d", "--probe-retention", "7d", "--prune-interval", "2s"])
            try await collector.waitUntilLive()
            try await eventually("the collector's retention pass; log: \(collector.log)") { collector.log.contains("retention: pruned") }
            #expect(try AgedStore.count(db, olderThan: now - 7 * AgedStore.dayNs - 3_600_000_000_000, actions: ["health_status"]) == 0)
            #expect(try AgedStore.count(db, olderThan: now - 15 * AgedStore.dayNs, actions: ["exec_start", "exec_create"]) == 0)
            #expect(try await collector.stop() == 0)
        }
    }
}
