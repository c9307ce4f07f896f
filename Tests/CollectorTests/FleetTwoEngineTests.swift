import AuditStore
import Foundation
import Testing

/// Two hosts, each a real private Docker engine with its own collector (`--forward`, different host
/// names), one PostgreSQL, and `audit serve` receiving the pipeline's deployment records for the whole
/// fleet: through a 20 s PostgreSQL outage and a `kill -9`, PostgreSQL ends up holding the union of the
/// two local stores, once; a record for host A covers A's change only, and the same change on B is
/// B's finding.
@Suite(.serialized, .enabled(if: TestEngine.enabled && TestPostgres.enabled,
                             "needs AUDIT_TEST_DOCKER_HOST and PostgreSQL 15 (scripts/test starts a private dockerd; install-deps installs postgresql)"))
struct FleetTwoEngineTests {
    func churn(_ count: Int, label: String, host: String) async throws {
        for _ in 0..<count {
            try await TestEngine.docker("run", "--rm", "--network", "none", "--label", label, TestEngine.image, "true", host: host)
        }
    }

    func localKeys(_ db: String) throws -> Set<String> {
        Set(try StoreReader(path: db).events(EventQuery(sinceNs: .min, untilNs: .max)).map { "\($0.timeNano)|\($0.type)|\($0.actorID)|\($0.action)" })
    }

    func fleetKeys(_ pg: TestPostgres, hostID: String) async throws -> [String] {
        try await pg.psql("SELECT time_ns || '|' || type || '|' || actor_id || '|' || action FROM events WHERE host_id = '\(hostID)'")
            .split(separator: "\n").map(String.init)
    }

    @Test func twoHostsForwardExactlyOnceAndADeploymentForACoversAOnly() async throws {
        let hostA = try TestEngine.requireHost()
        let label = "audit-fleet2-test=\(UInt32.random(in: 0...UInt32.max))"
        let p = "fl\(UInt16.random(in: 0...UInt16.max))"
        let container = "\(p)_api_1"
        try await SecondEngine.with { hostB in
            defer {
                for h in [hostA, hostB] {
                    TestEngine.cleanup(["sh", "-c", "docker ps -aq --filter label=\(label) | xargs -r docker rm -f"], environment: ["DOCKER_HOST": h])
                }
            }
            try await TestPostgres.with { pg in
                try await withTemporaryDirectory { dir in
                    let dbA = dir + "/a.db", dbB = dir + "/b.db"
                    let secret = dir + "/secret"
                    try "fleet-webhook-secret-0123456789abcdef".write(toFile: secret, atomically: false, encoding: .utf8)
                    let port = Int.random(in: 30_000...31_999)
                    let serve = try ChildProcess([TestEngine.auditBinary, "serve", "--db", pg.url, "--listen", "127.0.0.1:\(port)", "--webhook-secret-file", secret],
                                                 stdout: dir + "/serve.log", stderr: dir + "/serve.log")
                    defer { serve.signal(SIGKILL); _ = serve.waitBlocking() }
                    var a = try CollectorProcess(dbPath: dbA, dockerHost: hostA, logPath: dir + "/a-1.log", arguments: ["--forward", pg.url, "--host-name", "fleet-a"])
                    let b = try CollectorProcess(dbPath: dbB, dockerHost: hostB, logPath: dir + "/b.log", arguments: ["--forward", pg.url, "--host-name", "fleet-b"])
                    try await a.waitUntilLive()
                    try await b.waitUntilLive()
                    for h in [hostA, hostB] {
                        try await TestEngine.docker("run", "-d", "--network", "none", "--name", container, "--label", label,
                                                    "--label", "com.docker.compose.project=\(p)", "--label", "com.docker.compose.service=api",
                                                    TestEngine.image, "sleep", "600", host: h)
                    }
                    async let churnA: Void = churn(2, label: label, host: hostA)
                    async let churnB: Void = churn(2, label: label, host: hostB)
                    _ = try await (churnA, churnB)

                    // PostgreSQL away for 20 s while both hosts keep producing events.
                    try await pg.stop()
                    let outage = ContinuousClock.now
                    async let outageA: Void = { while ContinuousClock.now - outage < .seconds(20) { try await churn(1, label: label, host: hostA) } }()
                    async let outageB: Void = { while ContinuousClock.now - outage < .seconds(20) { try await churn(1, label: label, host: hostB) } }()
                    _ = try await (outageA, outageB)
                    try await pg.start()

                    // Host A's collector killed while it catches up, and started again.
                    try await churn(1, label: label, host: hostA)
                    try await a.killHard()
                    a = try CollectorProcess(dbPath: dbA, dockerHost: hostA, logPath: dir + "/a-2.log", arguments: ["--forward", pg.url, "--host-name", "fleet-a"])
                    try await a.waitUntilLive()

                    // One pipeline run for host A changes the container on both hosts: B's change is outside it.
                    try await eventually("audit serve answering") {
                        (try? await TestEngine.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"])) == "200"
                    }
                    try await TestEngine.run([TestEngine.auditBinary, "deploy", "--collector", "http://127.0.0.1:\(port)", "--webhook-secret-file", secret,
                                              "--host", "fleet-a", "--project", p, "--id", "\(p)-deploy", "--",
                                              "sh", "-c", "DOCKER_HOST=\(hostA) docker update --memory 128m --memory-swap 256m \(container) && DOCKER_HOST=\(hostB) docker update --memory 128m --memory-swap 256m \(container)"])
                    try await Task.sleep(for: .seconds(2))

                    let idA = try #require(try StoreReader(path: dbA).hostIdentity()).hostID
                    let idB = try #require(try StoreReader(path: dbB).hostIdentity()).hostID
                    #expect(idA != idB)
                    try await eventually("PostgreSQL holding exactly both local stores' events", timeout: .seconds(90)) {
                        let a = try await Set(fleetKeys(pg, hostID: idA)) == localKeys(dbA)
                        let b = try await Set(fleetKeys(pg, hostID: idB)) == localKeys(dbB)
                        return a && b
                    }
                    // The change log's last rows (the update's snapshot, coverage) follow within moments.
                    try await Task.sleep(for: .seconds(3))
                    #expect(try await a.stop() == 0)
                    #expect(try await b.stop() == 0)

                    let keysA = try localKeys(dbA), keysB = try localKeys(dbB)
                    let fleetA = try await fleetKeys(pg, hostID: idA), fleetB = try await fleetKeys(pg, hostID: idB)
                    #expect(fleetA.count == keysA.count && Set(fleetA) == keysA, "host A: \(fleetA.count) in PostgreSQL, \(keysA.count) local")
                    #expect(fleetB.count == keysB.count && Set(fleetB) == keysB, "host B: \(fleetB.count) in PostgreSQL, \(keysB.count) local")
                    #expect(try await pg.psql("SELECT count(*) FROM events") == String(keysA.count + keysB.count), "the union, once")
                    #expect(keysA.count >= 40 && keysB.count >= 40, "\(keysA.count), \(keysB.count)")

                    // The fleet report: A's update is in band with host A's deployment, B's is B's finding.
                    let text = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", pg.url, "--format", "json", "--in-band", "--since", "10m"])
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                    let hosts = try #require(json["hosts"] as? [[String: Any]])
                    func report(_ name: String) throws -> [String: Any] {
                        try #require(hosts.first { $0["host"] as? String == name }?["report"] as? [String: Any], "no host \(name) in \(text.prefix(2_000))")
                    }
                    func updates(_ list: Any?) -> [[String: Any]] {
                        (list as? [[String: Any]] ?? []).filter {
                            ($0["container"] as? [String: Any])?["name"] as? String == container && ($0["kind"] as? String == "update" || $0["change"] as? String == "update")
                        }
                    }
                    let reportA = try report("fleet-a"), reportB = try report("fleet-b")
                    #expect(updates(reportA["findings"]).isEmpty, "host A's update is no finding: \(reportA["findings"] ?? "")")
                    let inBand = updates(reportA["in_band"])
                    #expect(inBand.first?["deployment"] as? String == "\(p)-deploy", "host A's update in band: \(reportA["in_band"] ?? "")")
                    let finding = try #require(updates(reportB["findings"]).first, "host B's update is B's finding: \(reportB["findings"] ?? "")")
                    #expect((finding["why"] as? String ?? "").contains("fleet-a"), "why names the record's host: \(finding["why"] ?? "")")
                    #expect(updates(reportB["in_band"]).isEmpty)

                    // Narrowed to one host, and the same hosts in `audit status`.
                    let onlyB = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", pg.url, "--host", "fleet-b", "--since", "10m"])
                    #expect(onlyB.contains("### host fleet-b") && !onlyB.contains("### host fleet-a"), "\(onlyB)")
                    let status = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", pg.url])
                    #expect(status.contains("fleet-a") && status.contains("fleet-b") && status.contains(idA), "\(status)")
                }
            }
        }
    }
}
