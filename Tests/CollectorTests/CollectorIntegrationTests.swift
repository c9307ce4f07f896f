@testable import AuditStore
import DockerAPI
import Foundation
import Testing

/// The collector against a real Docker engine (scripts/test starts a private one). Serialized: the
/// tests share that engine, and counting its events must not race with another test's containers.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct CollectorIntegrationTests {
    @Test func storesEveryLifecycleEventWithExecDetailsAndUpdateSnapshots() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            let name = TestEngine.uniqueName("life")
            let id = try await TestEngine.docker("create", "--network", "none", "--name", name, "--memory", "32m", "--label", "com.docker.compose.project=lifeproj", TestEngine.image, "sleep", "600")
            defer { TestEngine.removeContainer(id) }
            try await TestEngine.docker("start", name)
            try await TestEngine.docker("exec", "-u", "nobody", name, "echo", "--password=hunter2")
            try await TestEngine.docker("update", "--memory", "64m", "--memory-swap", "128m", name)
            try await TestEngine.docker("rename", name, name + "-renamed")
            try await TestEngine.docker("pause", name + "-renamed")
            try await TestEngine.docker("unpause", name + "-renamed")
            try await TestEngine.docker("restart", "-t", "1", name + "-renamed")
            try await TestEngine.docker("stop", "-t", "1", name + "-renamed")
            try await TestEngine.docker("rm", name + "-renamed")

            let reader = try StoreReader(path: db)
            try await eventually("destroy event stored") {
                try reader.events(EventQuery(sinceNs: 0, untilNs: .max, container: id)).contains { $0.action == "destroy" }
            }
            #expect(try await collector.stop() == 0)

            let events = try reader.events(EventQuery(sinceNs: 0, untilNs: .max, container: id))
            let actions = events.map(\.action)
            for expected in ["create", "start", "exec_create", "exec_start", "exec_die", "update", "rename", "pause", "unpause", "kill", "die", "stop", "restart", "destroy"] {
                #expect(actions.contains(expected), "missing \(expected) in \(actions)")
            }
            #expect(actions.first == "create" && actions.last == "destroy")
            #expect(events.allSatisfy { $0.source == .stream })
            let exec = try #require(events.first { $0.action == "exec_start" })
            #expect(exec.detail == "echo --password=hunter2")
            #expect(exec.attributes["name"] == name)
            #expect(exec.attributes["image"] == TestEngine.image)
            #expect(events.first { $0.action == "rename" }?.attributes["oldName"] == "/" + name)
            #expect(events.first { $0.action == "create" }?.project == "lifeproj")

            // The exec was inspected while the daemon still knew it: who ran what.
            let execRow = try reader.db.prepare("SELECT user, privileged, tty, entrypoint, arguments FROM exec_sessions WHERE exec_id = ?")
            execRow.bind(1, try #require(exec.attributes["execID"]))
            #expect(try execRow.step())
            #expect(execRow.string(0) == "nobody")
            #expect(execRow.int64(1) == 0)
            #expect(execRow.string(3) == "echo")
            #expect(execRow.string(4) == #"["--password=hunter2"]"#)

            // Snapshots before and after the update hold the memory limits the matcher will diff.
            let snapshots = try reader.db.prepare("""
                SELECT cs.reason, cs.config FROM container_snapshots cs JOIN actors a ON a.id = cs.actor
                WHERE a.docker_id = ? ORDER BY cs.id
                """)
            snapshots.bind(1, id)
            var byReason: [String: ContainerSnapshot] = [:]
            var reasons: [String] = []
            try snapshots.forEachRow { row in
                reasons.append(row.string(0) ?? "")
                if let json = row.string(1), let s = ContainerSnapshot.decode(json: json) { byReason[row.string(0)!] = s }
            }
            #expect(byReason["create"]?.memory == Int64(32 << 20))
            #expect(byReason["update"]?.memory == Int64(64 << 20))
            #expect(byReason["update"]?.configChanges(from: byReason["create"]!).map(\.description).contains("memory 32 MiB → 64 MiB") == true)
            #expect(byReason["rename"]?.name == name + "-renamed")
            #expect(reasons.last == "destroy", "a removal marker ends the container's snapshots: \(reasons)")
        }
    }

    @Test func killDashNineWhileEventsFlowLosesNothingAndDuplicatesNothing() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let name = TestEngine.uniqueName("kill9")
            let id = try await TestEngine.docker("run", "-d", "--network", "none", "--name", name, TestEngine.image, "sleep", "600")
            defer { TestEngine.removeContainer(id) }
            var collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            // The window starts once the collector is live: what came before it is the baseline's job.
            let t0 = Date().timeIntervalSince1970
            let t0Ns = Int64(t0 * 1e9)

            // 40 pause/unpause pairs (80 events, well inside the daemon's 256-event buffer) while the
            // collector is killed and restarted in the middle.
            let flood = Task.detached {
                for _ in 0..<40 {
                    try await TestEngine.docker("pause", name, host: host)
                    try await TestEngine.docker("unpause", name, host: host)
                }
            }
            try await Task.sleep(for: .milliseconds(700))
            try await collector.killHard()
            try await Task.sleep(for: .milliseconds(300))
            collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await flood.value
            try await collector.waitUntilLive(times: 2)

            // The daemon's own record of the window is the ground truth.
            let truth = try await TestEngine.docker("events", "--since", String(format: "%.9f", t0), "--until", "\(Int64(Date().timeIntervalSince1970) + 1)",
                                              "--filter", "container=\(id)", "--format", "{{.TimeNano}} {{.Action}}")
                .split(separator: "\n").map(String.init)
            let reader = try StoreReader(path: db)
            try await eventually("all \(truth.count) events stored") {
                try reader.events(EventQuery(sinceNs: t0Ns, untilNs: .max, container: id)).count >= truth.count
            }
            #expect(try await collector.stop() == 0)
            let stored = try reader.events(EventQuery(sinceNs: t0Ns, untilNs: .max, container: id))
                .filter { $0.source == .stream }.map { "\($0.timeNano) \($0.action)" }
            #expect(truth.count >= 80)
            #expect(Set(stored) == Set(truth), "lost: \(Set(truth).subtracting(stored)), extra: \(Set(stored).subtracting(truth))")
            #expect(stored.count == Set(stored).count, "duplicates stored")
            #expect(collector.log.contains("coverage gap recorded"))
        }
    }

    @Test func aGapLongerThanTheReplayBufferIsReconciled() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let existing = TestEngine.uniqueName("gap-existing")
            let existingID = try await TestEngine.docker("run", "-d", "--network", "none", "--name", existing, "--memory", "32m", TestEngine.image, "sleep", "600")
            defer { TestEngine.removeContainer(existingID) }
            var collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            #expect(try await collector.stop() == 0)

            // While nobody watches: an update and a new container, then more than 256 other events so
            // the daemon's replay buffer no longer holds the first two.
            try await TestEngine.docker("update", "--memory", "96m", "--memory-swap", "192m", existing)
            let newcomer = TestEngine.uniqueName("gap-new")
            let newID = try await TestEngine.docker("run", "-d", "--network", "none", "--name", newcomer, TestEngine.image, "sleep", "600")
            defer { TestEngine.removeContainer(newID) }
            try await TestEngine.run(["/bin/sh", "-c", "for i in $(seq 1 140); do docker pause \(existing) >/dev/null && docker unpause \(existing) >/dev/null; done"],
                               environment: ["DOCKER_HOST": host])

            collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive(times: 2)
            #expect(try await collector.stop() == 0)

            let reader = try StoreReader(path: db)
            let status = try reader.status()
            #expect(status.gapCount == 1)
            let gap = try #require(status.recentGaps.first)
            #expect(gap.cause == "collector stopped")
            #expect(gap.replayed >= 250, "the daemon replays what it still buffers")
            let reconciled = try reader.events(EventQuery(sinceNs: 0, untilNs: .max)).filter { $0.source == .reconciliation }
            let update = try #require(reconciled.first { $0.actorID == existingID && $0.action == "update" }, "update not reconciled: \(reconciled.map { "\($0.actorID.prefix(12)) \($0.action)" })")
            #expect(update.attributes["changes"]?.contains("memory 32 MiB → 96 MiB") == true)
            #expect(update.attributes["observed-by-reconciliation"] == "true")
            #expect(reconciled.contains { $0.actorID == newID && $0.action == "create" })
            #expect(reconciled.contains { $0.actorID == newID && $0.action == "start" })
            #expect(gap.changesFound == reconciled.count)
        }
    }

    @Test func onlyGETRequestsEverReachTheEngine() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            // A proxy between the collector and the engine keeps every request it relays.
            let proxy = try RequestRecordingProxy(in: dir, engineSocket: String(host.dropFirst("unix://".count)))
            defer { proxy.stop() }
            try await eventually("proxy listening") { FileManager.default.fileExists(atPath: proxy.socketPath) }

            let db = dir + "/audit.db"
            let collector = try CollectorProcess(dbPath: db, dockerHost: "unix://" + proxy.socketPath, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            let name = TestEngine.uniqueName("readonly")
            let id = try await TestEngine.docker("run", "-d", "--network", "none", "--name", name, TestEngine.image, "sleep", "600")
            try await TestEngine.docker("exec", name, "true")
            try await TestEngine.docker("update", "--cpu-shares", "512", name)
            try await TestEngine.docker("rm", "-f", id)
            let reader = try StoreReader(path: db)
            try await eventually("destroy stored") { try reader.events(EventQuery(sinceNs: 0, untilNs: .max, container: id)).contains { $0.action == "destroy" } }
            // Inspections run beside the stream, so the exec inspect may trail the destroy event.
            try await eventually("exec inspected through the proxy") {
                (try? proxy.requestLines())?.contains { $0.contains("/exec/") } == true
            }
            #expect(try await collector.stop() == 0)

            let requestLines = try proxy.requestLines()
            #expect(requestLines.count >= 4)
            #expect(requestLines.allSatisfy { $0.hasPrefix("GET ") }, "non-GET requests: \(requestLines.filter { !$0.hasPrefix("GET ") })")
            #expect(requestLines.contains { $0.contains("/events") })
            #expect(requestLines.contains { $0.contains("/containers/\(id)/json") })
            #expect(requestLines.contains { $0.contains("/exec/") })
        }
    }

    @Test func malformedLinesAreQuarantinedAndTheLinesAroundThemStored() async throws {
        try await withTemporaryDirectory { dir in
            let capture = try String(contentsOfFile: TestEngine.packageRoot + "/Tests/DockerAPITests/Fixtures/engine-20.10-capture.ndjson", encoding: .utf8)
            let good = capture.split(separator: "\n").map { Data($0.utf8) }
            var dump = Data()
            dump.append(good[0]); dump.append(0x0A)
            dump.append(Data("{\"Type\":\"container\",\"Action\":\"start\"\n".utf8))                // truncated
            dump.append(good[1]); dump.append(0x0A)
            dump.append(Data("this is not json\n".utf8))                                               // bad JSON
            dump.append(Data("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"x\",\"Attributes\":{\"name\":\"".utf8) + Data([0xFF, 0xFE]) + Data("\"}},\"timeNano\":1}\n".utf8)) // invalid UTF-8
            dump.append(Data("{\"Type\":\"container\",\"Actor\":{\"ID\":\"x\"},\"timeNano\":1}\n".utf8))    // missing Action
            for line in good.dropFirst(2) { dump.append(line); dump.append(0x0A) }
            let file = dir + "/dump.ndjson"
            try dump.write(to: URL(fileURLWithPath: file))
            let db = dir + "/audit.db"

            try await TestEngine.run([TestEngine.auditBinary, "ingest", "--db", db, file])
            let status = try StoreReader(path: db).status()
            #expect(status.quarantinedCount == 4)
            #expect(Set(status.recentQuarantine.map(\.reason)).count == 4, "each line keeps its own reason: \(status.recentQuarantine.map(\.reason))")
            #expect(status.eventsBySource.first { $0.0 == .ingest }?.1 == good.count)

            // Ingesting again stores no event twice.
            try await TestEngine.run([TestEngine.auditBinary, "ingest", "--db", db, file])
            #expect(try StoreReader(path: db).status().eventsBySource.first { $0.0 == .ingest }?.1 == good.count)

            let json = try await TestEngine.run([TestEngine.auditBinary, "events", "--db", db, "--since", "2020-01-01T00:00:00Z", "--format", "json"])
            let objects = try json.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            #expect(objects.count == good.count)
            let exec = try #require(objects.first { $0["action"] as? String == "exec_start" && $0["command"] as? String == "echo hi --password=***" })
            #expect(exec["source"] as? String == "ingest")
            #expect((exec["time"] as? String)?.hasSuffix("Z") == true)
            #expect(exec["timeNano"] is Int)
            #expect((exec["attributes"] as? [String: String])?["execID"]?.count == 64)
            #expect(exec["name"] as? String == "t1")
        }
    }
}
