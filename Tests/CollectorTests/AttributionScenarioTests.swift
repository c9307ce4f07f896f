import AuditStore
import Foundation
import Testing

/// Attribution with evidence, against the private engine with docker-compose 1.29 and the report's
/// defaults (no --tolerance, no --since): a hotfix right after or during a deploy is never in band.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct AttributionScenarioTests {
    static let files = ["-f", DriftIntegrationTests.fixtures + "/docker-compose.yml", "-f", DriftIntegrationTests.fixtures + "/docker-compose.production.yml"]

    struct Found {
        let kind, name, action: String
        let why: String
    }

    func report(_ db: String, _ extra: [String] = []) async throws -> (findings: [Found], inBand: [[String: Any]], json: [String: Any]) {
        let text = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", db, "--format", "json"] + extra)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let findings = (json["findings"] as? [[String: Any]] ?? []).map { f in
            Found(kind: f["kind"] as? String ?? "", name: (f["container"] as? [String: Any])?["name"] as? String ?? "",
                  action: f["action"] as? String ?? "", why: f["why"] as? String ?? "")
        }
        return (findings, json["in_band"] as? [[String: Any]] ?? [], json)
    }

    func deploy(_ db: String, project p: String, id: String, _ command: [String], env: [String: String]) async throws {
        try await TestEngine.run([TestEngine.auditBinary, "deploy", "--db", db, "--project", p, "--id", id, "--"] + command, environment: env)
    }

    func compose(_ p: String, _ arguments: [String]) -> [String] { ["docker-compose", "-p", p] + Self.files + arguments }

    func down(_ p: String, env: [String: String]) {
        TestEngine.cleanup(compose(p, ["down", "--remove-orphans", "-t", "1"]), environment: env)
    }

    @Test func anUpdateAndAnExecThreeSecondsAfterADeployAreFlaggedWithTheDefaults() async throws {
        let host = try TestEngine.requireHost()
        let env = ["DOCKER_HOST": host]
        let p = "atr\(UInt16.random(in: 0...UInt16.max))"
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            defer { down(p, env: env) }
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            try await deploy(db, project: p, id: "\(p)-deploy", compose(p, ["up", "-d"]), env: env)
            try await Task.sleep(for: .seconds(3))
            try await TestEngine.docker("update", "--memory", "128m", "--memory-swap", "256m", "\(p)_api_1")
            try await TestEngine.docker("exec", "\(p)_api_1", "sh", "-c", "echo hotfix > /tmp/fix")
            try await Task.sleep(for: .seconds(1))
            #expect(try await collector.stop() == 0)

            let (all, inBand, json) = try await report(db, ["--in-band"])
            let findings = all.filter { $0.name.hasPrefix(p) }
            let summary = findings.map { "\($0.kind) \($0.name): \($0.why)" }
            let update = try #require(findings.first { $0.kind == "update" }, "\(summary)")
            #expect(update.why.contains("\(p) deployment \(p)-deploy finished"), "\(update.why)")
            #expect(update.why.contains("tolerance 0.5 s (cli record, the collector's clock)"), "\(update.why)")
            #expect(update.why.contains("does not update containers"), "\(update.why)")
            let exec = try #require(findings.first { $0.kind == "exec" }, "\(summary)")
            #expect(exec.why.contains("does not exec"), "\(exec.why)")
            // The deployment's own creates are in band, not findings, and listed with their evidence.
            #expect(findings.count == 2, "\(summary)")
            let own = inBand.filter { ($0["deployment"] as? String) == "\(p)-deploy" }
            #expect(own.map { $0["change"] as? String } == ["create", "create", "create"], "one create per service: \(own)")
            #expect(own.allSatisfy { ($0["evidence"] as? String)?.contains("its command `docker-compose -p \(p)") == true }, "\(own)")
            #expect((json["tolerance"] as? String)?.hasPrefix("by record") == true)
        }
    }

    @Test func anExecIntoAnotherProjectDuringALongDeploymentIsFlagged() async throws {
        let host = try TestEngine.requireHost()
        let env = ["DOCKER_HOST": host]
        let (a, b) = ("atra\(UInt16.random(in: 0...UInt16.max))", "atrb\(UInt16.random(in: 0...UInt16.max))")
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            defer {
                down(a, env: env)
                down(b, env: env)
            }
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            try await deploy(db, project: b, id: "\(b)-deploy", compose(b, ["up", "-d"]), env: env)
            try await deploy(db, project: a, id: "\(a)-deploy-1", compose(a, ["up", "-d"]), env: env)
            try await Task.sleep(for: .seconds(2))

            // Project A's long deployment: a recreate, then eight seconds of something else.
            let script = (compose(a, ["up", "-d", "--force-recreate"]).map { "'\($0)'" } + ["&&", "sleep", "8"]).joined(separator: " ")
            let long = try ChildProcess([TestEngine.auditBinary, "deploy", "--db", db, "--project", a, "--id", "\(a)-deploy-2", "--", "sh", "-c", script],
                                        environment: env, stdout: dir + "/deploy.out", stderr: dir + "/deploy.err")
            try await eventually("A's recreate done", timeout: .seconds(30)) {
                (try? String(contentsOfFile: dir + "/deploy.err", encoding: .utf8))?.components(separatedBy: "done").count ?? 0 > 3
            }
            try await TestEngine.docker("exec", "\(b)_api_1", "cat", "/etc/hostname")
            #expect(await long.wait() == 0)
            try await Task.sleep(for: .seconds(1))
            #expect(try await collector.stop() == 0)

            let (all, inBand, _) = try await report(db, ["--in-band"])
            let summary = all.filter { $0.name.hasPrefix(a) || $0.name.hasPrefix(b) }.map { "\($0.kind) \($0.name): \($0.why)" }
            let exec = try #require(all.first { $0.kind == "exec" && $0.name == "\(b)_api_1" }, "\(summary)")
            #expect(exec.why.contains("it deploys project \(a), not project \(b)") || exec.why.contains("\(b) deployment"), "\(exec.why)")
            #expect(!all.contains { $0.name.hasPrefix(a) }, "A's own recreate events are in band: \(summary)")
            // compose 1.29 stops each old container, then creates its replacement: both in band, with the deployment.
            let recreates = inBand.filter { ($0["deployment"] as? String) == "\(a)-deploy-2" }
            // (1.29 renames the old container aside and creates the new one under the final name: a `create`.)
            #expect(recreates.filter { ["create", "recreate"].contains($0["change"] as? String) }.count == 3, "one recreate per service: \(recreates)")
            #expect(recreates.allSatisfy { ($0["evidence"] as? String)?.contains("during its window") == true }, "\(recreates)")
        }
    }

    @Test func aRestartOfAContainerTheDeploymentFoundUpToDateIsFlagged() async throws {
        let host = try TestEngine.requireHost()
        let env = ["DOCKER_HOST": host]
        let p = "atru\(UInt16.random(in: 0...UInt16.max))"
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            defer { down(p, env: env) }
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            try await deploy(db, project: p, id: "\(p)-deploy-1", compose(p, ["up", "-d"]), env: env)
            // Nothing changed: compose says every container is up-to-date, then waits.
            let script = (compose(p, ["up", "-d"]).map { "'\($0)'" } + ["&&", "sleep", "6"]).joined(separator: " ")
            let second = try ChildProcess([TestEngine.auditBinary, "deploy", "--db", db, "--project", p, "--id", "\(p)-deploy-2", "--", "sh", "-c", script],
                                          environment: env, stdout: dir + "/deploy.out", stderr: dir + "/deploy.err")
            try await eventually("compose found the containers up to date", timeout: .seconds(30)) {
                (try? String(contentsOfFile: dir + "/deploy.err", encoding: .utf8))?.contains("is up-to-date") == true
            }
            // Past the first deployment's 0.5 s tolerance (compose can answer up-to-date within it), inside the second's window.
            try await Task.sleep(for: .seconds(1))
            try await TestEngine.docker("restart", "-t", "1", "\(p)_worker_1")
            #expect(await second.wait() == 0)
            #expect(try await collector.stop() == 0)

            let records = try await TestEngine.run([TestEngine.auditBinary, "deployments", "--db", db, "--since", "10m", "--format", "json"])
            let second2 = try #require((try JSONSerialization.jsonObject(with: Data(records.utf8)) as? [[String: Any]])?.first { $0["id"] as? String == "\(p)-deploy-2" })
            #expect(second2["touched"] as? [String] == [], "up-to-date containers are untouched: \(second2)")
            let (all, _, _) = try await report(db)
            let restart = try #require(all.first { $0.name == "\(p)_worker_1" && $0.kind == "lifecycle" }, "\(all)")
            #expect(restart.why.contains("its output says it changed no container"), "\(restart.why)")
        }
    }

    static func printLatestSnapshots(_ db: String, project: String) {
        guard let store = try? Database(path: db, readOnly: true), let rows = try? store.prepare("""
            SELECT a.docker_id, cs.id, cs.taken_ns, cs.trigger_ns, cs.reason, json_extract(cs.config, '$.running'), json_extract(cs.config, '$.name')
            FROM container_snapshots cs JOIN actors a ON a.id = cs.actor
            WHERE a.project = ? AND cs.id >= (SELECT max(id) - 2 FROM container_snapshots WHERE actor = cs.actor) ORDER BY cs.id
            """) else { return }
        rows.bind(1, project)
        var lines = ["reconciliation section empty; the project's last snapshots (container, id, taken, trigger, reason, running, name):"]
        try? rows.forEachRow { r in
            lines.append("  \(r.string(0)?.prefix(12) ?? "-") \(r.int64(1)) \(r.int64(2)) \(r.optionalInt64(3).map(String.init) ?? "-") \(r.string(4) ?? "-") \(r.optionalInt64(5).map(String.init) ?? "null") \(r.string(6) ?? "-")")
        }
        print(lines.joined(separator: "\n"))
    }

    @Test func theReconciliationSectionShowsTheLastFullRecreate() async throws {
        let host = try TestEngine.requireHost()
        let env = ["DOCKER_HOST": host]
        let p = "atrr\(UInt16.random(in: 0...UInt16.max))"
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            defer { down(p, env: env) }
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            try await deploy(db, project: p, id: "\(p)-first", compose(p, ["up", "-d"]), env: env)
            // Every service's create stored and attributed to the first deployment before the next one.
            try await eventually("the first deployment's three creates are stored") {
                let section = try await self.report(db, ["--project", p]).json["reconciliation"] as? [[String: Any]]
                return ((section?.first?["last_full_recreate"] as? [String: Any])?["deployment"] as? String) == "\(p)-first"
            }
            // The second deployment recreates only the api, past the first one's tolerance.
            try await Task.sleep(for: .seconds(1))
            try await deploy(db, project: p, id: "\(p)-api", compose(p, ["up", "-d", "--force-recreate", "api"]), env: env)
            try await Task.sleep(for: .seconds(1))
            try await eventually("the collector saw the api's recreate") {
                let section = try await self.report(db, ["--project", p]).json["reconciliation"] as? [[String: Any]]
                return (section?.first?["containers"] as? [[String: Any]])?.contains { $0["deployment"] as? String == "\(p)-api" } == true
            }

            // Read until the section lists the project: two CI runs of the whole suite saw it empty once,
            // right after the api's recreate had been seen (cause not found yet; the 4 runs of this test
            // alone never did). A section that stays empty still fails here.
            // An empty read prints the project's latest snapshots to the test log, so the next time it
            // happens the state that caused it is on record.
            func section() async throws -> [String: Any] {
                var found: [String: Any]?
                try await eventually("the reconciliation section lists \(p)", timeout: .seconds(10)) {
                    found = (try await self.report(db, ["--project", p]).json["reconciliation"] as? [[String: Any]])?.first
                    if found == nil { Self.printLatestSnapshots(db, project: p) }
                    return found != nil
                }
                return try #require(found)
            }
            var shop = try await section()
            #expect((shop["last_full_recreate"] as? [String: Any])?["deployment"] as? String == "\(p)-first", "\(shop)")
            let byName = Dictionary(uniqueKeysWithValues: (shop["containers"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0) })
            #expect(byName["\(p)_api_1"]?["deployment"] as? String == "\(p)-api", "\(byName)")
            #expect(byName["\(p)_worker_1"]?["deployment"] as? String == "\(p)-first", "\(byName)")
            #expect((shop["containers"] as? [[String: Any]])?.last?["name"] as? String == "\(p)_api_1", "the api was recreated last: \(shop)")

            // A full recreate.
            try await deploy(db, project: p, id: "\(p)-full", compose(p, ["up", "-d", "--force-recreate"]), env: env)
            try await eventually("the full recreate is the last one") {
                ((try await section())["last_full_recreate"] as? [String: Any])?["deployment"] as? String == "\(p)-full"
            }
            shop = try await section()
            #expect((shop["containers"] as? [[String: Any]])?.allSatisfy { $0["deployment"] as? String == "\(p)-full" } == true, "\(shop)")

            // --max-age: every container is older than a second since its last in-band recreate.
            try await Task.sleep(for: .seconds(2))
            #expect(try await collector.stop() == 0)
            let aged = try await report(db, ["--project", p, "--max-age", "1s"]).findings.filter { $0.kind == "not-recreated" }
            #expect(Set(aged.map(\.name)) == ["\(p)_api_1", "\(p)_worker_1", "\(p)_cache_1"], "\(aged)")
            await #expect(throws: TestEngine.CommandFailed.self) {
                try await TestEngine.run([TestEngine.auditBinary, "report", "--db", db, "--project", p, "--max-age", "1s", "--fail-on", "low"])
            }
            #expect(try await report(db, ["--project", p, "--max-age", "30d"]).findings.filter { $0.kind == "not-recreated" }.isEmpty)
        }
    }
}
