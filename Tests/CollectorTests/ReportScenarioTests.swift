import Foundation
import Testing

/// The product's question, end to end against the private engine: deployments recorded around real
/// docker-compose runs, then changes made by hand, then `audit report`.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct ReportScenarioTests {
    struct Found {
        let id, kind, severity, status, name: String
        let detail: String
        let command: String?
        let changes: [String]
        let deployment: String?
    }

    func report(_ db: String, _ extra: [String] = []) async throws -> (findings: [Found], json: [String: Any]) {
        let text = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", db, "--since", "15m", "--tolerance", "2s", "--format", "json"] + extra)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let findings = (json["findings"] as? [[String: Any]] ?? []).map { f in
            Found(id: f["id"] as! String, kind: f["kind"] as! String, severity: f["severity"] as! String, status: f["status"] as! String,
                  name: (f["container"] as? [String: Any])?["name"] as? String ?? "", detail: f["detail"] as? String ?? "",
                  command: f["command"] as? String, changes: f["changes"] as? [String] ?? [], deployment: f["deployment"] as? String)
        }
        return (findings, json)
    }

    @Test func deploymentsAreInBandAndEachManualChangeIsAFindingWithItsStatus() async throws {
        let host = try TestEngine.requireHost()
        let env = ["DOCKER_HOST": host]
        let p = "scn\(UInt16.random(in: 0...UInt16.max))"
        let files = ["-f", DriftIntegrationTests.fixtures + "/docker-compose.yml", "-f", DriftIntegrationTests.fixtures + "/docker-compose.production.yml"]
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            defer {
                TestEngine.cleanup(["docker-compose", "-p", p] + files + ["down", "--remove-orphans", "-t", "1"], environment: env)
                for name in ["\(p)-adhoc1", "\(p)-adhoc2", "\(p)_cache_1"] { TestEngine.removeContainer(name) }
            }
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()

            // 1. A recorded deployment around a real compose run (the api has a 2 s health check).
            try await TestEngine.run([TestEngine.auditBinary, "deploy", "--db", db, "--project", p, "--env", "production", "--id", "\(p)-deploy-1", "--",
                                      "docker-compose", "-p", p] + files + ["up", "-d"], environment: env)
            try await Task.sleep(for: .seconds(5))   // past the 2 s tolerance, and a few health probes

            // 2. By hand.
            try await TestEngine.docker("exec", "\(p)_api_1", "cat", "/etc/hostname")
            try await TestEngine.docker("update", "--memory", "128m", "--memory-swap", "256m", "\(p)_api_1")
            try await TestEngine.docker("restart", "-t", "1", "\(p)_worker_1")
            try await TestEngine.docker("run", "-d", "--network", "none", "--name", "\(p)-adhoc1", TestEngine.image, "sleep", "600")
            try await TestEngine.docker("run", "-d", "--network", "none", "--name", "\(p)-adhoc2", TestEngine.image, "sleep", "600")
            try await TestEngine.docker("rm", "-f", "\(p)-adhoc2")
            try await TestEngine.docker("rm", "-f", "\(p)_cache_1")
            try await TestEngine.run(["docker", "run", "-d", "--network", "none", "--name", "\(p)_cache_1",
                                      "--label", "com.docker.compose.project=\(p)", "--label", "com.docker.compose.service=cache",
                                      "--label", "com.docker.compose.container-number=1", "--label", "com.docker.compose.oneoff=False",
                                      "audit-test/busybox:2", "sleep", "3600"], environment: env)
            try await Task.sleep(for: .seconds(3))

            // 3. A second recorded deployment that recreates the project's containers.
            try await TestEngine.run([TestEngine.auditBinary, "deploy", "--db", db, "--project", p, "--env", "production", "--id", "\(p)-deploy-2", "--",
                                      "docker-compose", "-p", p] + files + ["up", "-d", "--force-recreate"], environment: env)
            try await Task.sleep(for: .seconds(3))
            #expect(try await collector.stop() == 0)

            // Only this test's containers: other suites may share the engine.
            let (all, json) = try await report(db)
            let findings = all.filter { $0.name.hasPrefix(p) }
            let summary = findings.map { "\($0.kind) \($0.name) \($0.status) \($0.detail)" }
            // Nothing for the deployments themselves, nothing for the health probes.
            #expect(!findings.contains { $0.command?.hasPrefix("true") == true }, "a health probe became a finding: \(summary)")
            #expect(findings.allSatisfy { !$0.name.hasPrefix("\(p)_api_1") || $0.kind != "lifecycle" }, "\(summary)")

            let exec = try #require(findings.first { $0.kind == "exec" }, "\(summary)")
            #expect(exec.command == "cat /etc/hostname")
            #expect(exec.severity == "high")
            #expect(exec.status == "reconciled", "the second deployment recreated the api: \(summary)")
            let update = try #require(findings.first { $0.kind == "update" }, "\(summary)")
            #expect(update.changes.contains("memory 64 MiB → 128 MiB"), "\(update.changes)")
            #expect(update.status == "reconciled")
            #expect(update.deployment == "\(p)-deploy-2")
            let restart = try #require(findings.first { $0.kind == "lifecycle" && $0.name == "\(p)_worker_1" }, "\(summary)")
            #expect(restart.severity == "medium")
            #expect(restart.status == "reconciled")
            let adhoc1 = try #require(findings.first { $0.kind == "unmanaged-container" && $0.name == "\(p)-adhoc1" }, "\(summary)")
            #expect(adhoc1.status == "open")
            let adhoc2 = try #require(findings.first { $0.kind == "unmanaged-container" && $0.name == "\(p)-adhoc2" }, "\(summary)")
            #expect(adhoc2.status == "gone")
            #expect(findings.contains { $0.kind == "image-drift" && $0.name == "\(p)_cache_1" && $0.severity == "high" }, "\(summary)")
            // `docker rm -f` of the ad-hoc container and of the cache are removals outside a deployment too.
            #expect(findings.filter { $0.kind == "lifecycle" && $0.detail.hasPrefix("destroy") }.map(\.name).sorted() == ["\(p)-adhoc2", "\(p)_cache_1"], "\(summary)")
            #expect(findings.count == 8, "exactly the expected findings: \(summary)")
            #expect((json["deployments"] as? [[String: Any]])?.count == 2)

            // --fail-on: open high findings exist.
            await #expect(throws: TestEngine.CommandFailed.self) {
                try await TestEngine.run([TestEngine.auditBinary, "report", "--db", db, "--since", "15m", "--tolerance", "2s", "--fail-on", "high"])
            }

            // An acknowledgement that expires while the container still runs makes the finding stale.
            try await TestEngine.run([TestEngine.auditBinary, "ack", "--db", db, adhoc1.id, "--reason", "incident #482", "--expires", "1s"])
            #expect(try await report(db).findings.first { $0.id == adhoc1.id }?.status == "acknowledged")
            try await Task.sleep(for: .seconds(2))
            #expect(try await report(db).findings.first { $0.id == adhoc1.id }?.status == "stale")
        }
    }

    @Test func deployRecordsTheWrappedCommandAndKeepsItsExitStatus() async throws {
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            do {
                try await TestEngine.run([TestEngine.auditBinary, "deploy", "--db", db, "--project", "x", "--id", "failing", "--", "sh", "-c", "echo Recreating x_api_1 ... done >&2; exit 7"])
                Issue.record("a failing deployment command exited 0")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 7)
                #expect(failure.stderr.contains("Recreating x_api_1"), "output passes through")
            }
            let json = try await TestEngine.run([TestEngine.auditBinary, "deployments", "--db", db, "--since", "5m", "--format", "json"])
            let records = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            #expect(records.count == 1)
            #expect(records.first?["status"] as? String == "failure")
            #expect(records.first?["touched"] as? [String] == ["x_api_1"])
            #expect(records.first?["finished_at"] is String)
        }
    }

    @Test func importingACILogTwiceRecordsItOnce() async throws {
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let log = TestEngine.packageRoot + "/Tests/DeploymentsTests/Fixtures/jenkins-deploy.log"
            let importLog = [TestEngine.auditBinary, "import", "--db", db, "--format", "jenkins", log, "--project", "shop"]
            func storedRecords() async throws -> [[String: Any]] {
                let json = try await TestEngine.run([TestEngine.auditBinary, "deployments", "--db", db, "--since", "2000-01-01T00:00:00Z", "--format", "json"])
                return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            }

            try await TestEngine.run(importLog)
            let afterFirst = try await storedRecords()
            // The README: a CI job log is recorded as one deployment, its commands as steps.
            #expect(afterFirst.count == 1)
            let first = try #require(afterFirst.first)
            let id = try #require(first["id"] as? String)
            let steps = try #require(first["steps"] as? [[String: Any]])
            #expect(first["source"] as? String == "log-import")
            #expect(steps.count == 1, "docker-compose up is the one deploying command: \(steps)")

            let again = try await TestEngine.run(importLog)
            #expect(again.hasPrefix("already recorded \(id)"), "\(again)")
            let afterSecond = try await storedRecords()
            // The id is a primary key, so distinct ids prove nothing: the count must not grow, and the
            // one record (its id, its steps, every other field) must be the one the first import stored.
            #expect(afterSecond.count == afterFirst.count)
            let second = try #require(afterSecond.first)
            #expect(second["id"] as? String == id)
            #expect((second["steps"] as? [[String: Any]]).map { $0 as NSArray } == steps as NSArray)
            #expect(second as NSDictionary == first as NSDictionary, "a second import changed the record")
            do {
                try "nothing to see here\n".write(toFile: dir + "/empty.log", atomically: true, encoding: .utf8)
                try await TestEngine.run([TestEngine.auditBinary, "import", "--db", db, "--format", "plain", dir + "/empty.log"])
                Issue.record("a log without deployments was accepted")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 2)
                #expect(failure.stderr.contains("no deployment command found"))
            }
        }
    }
}
