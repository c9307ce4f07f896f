import AuditStore
import AuditSupport
import DockerAPI
@testable import Fleet
import Foundation
import Logging
import Testing

/// `audit collect --forward` sends every table beside the events (snapshots, exec inspections and
/// commands, coverage, gaps, deployments, drift findings, acknowledgements): after containers come and
/// go on the private engine, a deployment posted to the collector, drift found and resolved, an `audit
/// ack`, a `kill -9` and a PostgreSQL that lost its position, PostgreSQL holds exactly the local rows
/// with their final values.
@Suite(.serialized, .enabled(if: TestEngine.enabled && TestPostgres.enabled,
                             "needs AUDIT_TEST_DOCKER_HOST and PostgreSQL 15 (scripts/test starts a private dockerd; install-deps installs postgresql)"))
struct FleetRecordsForwardingTests {
    static let fixtures = TestEngine.packageRoot + "/Tests/CollectorTests/Fixtures/shop"

    /// A forwarded table read the same way on both sides: each row one line of its columns as text
    /// (NULL as ∅, booleans as 0/1, newlines folded), sorted; `local` are SQLite expressions over `from`.
    struct Table {
        let fleet: String
        let owner: String
        let from: String
        let columns: [(local: String, fleet: String)]

        func localRows(_ db: String) throws -> [String] {
            let line = columns.map { "replace(coalesce(CAST(\($0.local) AS TEXT), '∅'), char(10), '~')" }.joined(separator: " || '|' || ")
            let database = try Database(path: db, readOnly: true, migrate: false)
            var rows: [String] = []
            try database.prepare("SELECT \(line) FROM \(from)").forEachRow { rows.append($0.string(0) ?? "") }
            return rows.sorted()
        }

        func fleetRows(_ pg: TestPostgres, hostID: String) async throws -> [String] {
            let line = columns.map { "replace(coalesce((\($0.fleet))::text, '∅'), chr(10), '~')" }.joined(separator: " || '|' || ")
            let text = try await pg.psql("SELECT \(line) FROM \(fleet) WHERE \(owner) = '\(hostID)'")
            return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init).sorted()
        }
    }

    static func same(_ names: String...) -> [(local: String, fleet: String)] { names.map { ($0, $0) } }

    static let tables: [Table] = [
        Table(fleet: "snapshots", owner: "host_id", from: "container_snapshots s JOIN actors a ON a.id = s.actor", columns: [
            ("s.id", "id"), ("a.docker_id", "container_id"), ("s.taken_ns", "taken_ns"), ("s.trigger_ns", "trigger_ns"), ("s.reason", "reason"),
            ("s.name", "name"), ("s.image_id", "image_id"), ("s.image_ref", "image_ref"), ("s.started_at_ns", "started_at_ns"),
            ("s.running", "running::int"), ("s.config", "config"), ("a.project", "project"), ("a.service", "service"),
        ]),
        Table(fleet: "exec_sessions", owner: "host_id", from: "exec_sessions e JOIN actors a ON a.id = e.actor", columns: [
            ("e.exec_id", "exec_id"), ("a.docker_id", "container_id"), ("e.inspected_ns", "inspected_ns"), ("e.user", "\"user\""),
            ("e.privileged", "privileged::int"), ("e.tty", "tty::int"), ("e.open_stdin", "open_stdin::int"), ("e.entrypoint", "entrypoint"),
            ("e.arguments", "arguments"),
        ]),
        Table(fleet: "exec_commands", owner: "host_id", from: "exec_commands c JOIN actors a ON a.id = c.actor", columns: [
            ("c.hour", "hour"), ("a.docker_id", "container_id"), ("c.command", "command"), ("c.count", "count"), ("c.first_ns", "first_ns"),
            ("c.last_ns", "last_ns"),
        ]),
        Table(fleet: "coverage", owner: "host_id", from: "coverage",
              columns: same("id", "docker_host", "started_ns", "last_seen_ns", "ended_ns", "end_reason")),
        Table(fleet: "gaps", owner: "host_id", from: "gaps",
              columns: same("id", "docker_host", "from_ns", "to_ns", "cause", "replayed", "reconciled_ns", "changes_found")),
        Table(fleet: "deployments", owner: "origin", from: "deployments",
              columns: same("id", "source", "status", "started_ns", "finished_ns", "project", "host", "record", "received_ns", "updated_ns")),
        Table(fleet: "drift_findings", owner: "host_id", from: "drift_findings",
              columns: same("id", "project", "service", "container_id", "container_name", "field", "kind", "severity", "expected", "actual",
                            "first_seen_ns", "last_seen_ns", "resolved_ns")),
        Table(fleet: "acks", owner: "host_id", from: "acks", columns: same("id", "finding_id", "by", "reason", "at_ns", "expires_ns")),
    ]

    /// The first table whose rows differ, with what differs; nil when PostgreSQL holds exactly the local rows.
    func difference(_ db: String, _ pg: TestPostgres, hostID: String) async throws -> String? {
        for table in Self.tables {
            let local = try table.localRows(db)
            let fleet = try await table.fleetRows(pg, hostID: hostID)
            if local != fleet {
                return "\(table.fleet): local \(local.count) rows, fleet \(fleet.count); only local: \(Set(local).subtracting(fleet).sorted().prefix(3)); "
                    + "only fleet: \(Set(fleet).subtracting(local).sorted().prefix(3))"
            }
        }
        return nil
    }

    func localCount(_ db: String, _ sql: String) throws -> Int64 {
        let s = try Database(path: db, readOnly: true, migrate: false).prepare(sql)
        _ = try s.step()
        return s.int64(0)
    }

    /// Rows stored before the store ever had a forwarding target are in no change log: the first
    /// connection copies them (PostgreSQL's changes_seq is NULL), later changes follow the log.
    @Test func rowsStoredBeforeTheFirstForwardAreCopied() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let db = dir + "/audit.db"
                let writer = try EventWriter(path: db, logger: Logger(label: "test"), flushIntervalMs: 20)
                let now = Timestamp.now().nanoseconds
                writer.openCoverage(dockerHost: "test", startedNs: now - 60_000_000_000)
                writer.record(gap: GapRecord(dockerHost: "test", fromNs: now - 120_000_000_000, toNs: now - 60_000_000_000, cause: "test", replayed: 0,
                                             reconciledNs: nil, changesFound: nil))
                writer.enqueue(events: [DockerEvent(type: "container", action: "exec_start", detail: "true", actorID: "c1",
                                                    attributes: Attributes(["name": "c1"]), scope: "local", timeNano: now - 30_000_000_000)], source: .stream)
                await writer.flush()
                try DeploymentRepository(path: db).acknowledge(findingID: "f1", by: "ops", reason: "before", atNs: now, expiresNs: nil)
                var configuration = ForwarderService.Configuration(url: try FleetURL.parse(pg.url, environment: [:]), hostName: "fleet-s")
                configuration.pollInterval = .milliseconds(50)
                let forwarder = ForwarderService(configuration: configuration, storePath: db, logger: Logger(label: "test"))
                let hostID = try #require(try StoreReader(path: db).hostIdentity()).hostID
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await forwarder.run() }
                    try await eventually("the rows stored before forwarding copied") {
                        let acks = try await pg.psql("SELECT count(*) FROM acks")
                        guard acks == "1" else { return false }
                        return try await difference(db, pg, hostID: hostID) == nil
                    }
                    #expect(try await pg.psql("SELECT changes_seq IS NOT NULL FROM hosts") == "t")
                    // Changed in place afterwards: the log carries the final values.
                    writer.closeCoverage(endedNs: now, reason: "test")
                    writer.record(gap: GapRecord(dockerHost: "test", fromNs: now - 10, toNs: now - 5, cause: "later", replayed: 0, reconciledNs: now, changesFound: 0))
                    await writer.flush()
                    try await eventually("the later changes forwarded") {
                        let ended = try await pg.psql("SELECT count(*) FROM coverage WHERE ended_ns IS NOT NULL")
                        guard ended == "1" else { return false }
                        return try await difference(db, pg, hostID: hostID) == nil
                    }
                    group.cancelAll()
                }
                await writer.close()
            }
        }
    }

    @Test func everyTableReachesPostgreSQLWithItsFinalValuesThroughAKill9AndALostPosition() async throws {
        let host = try TestEngine.requireHost()
        let project = "fwd\(UInt16.random(in: 0...UInt16.max))"
        let files = ["-f", Self.fixtures + "/docker-compose.yml", "-f", Self.fixtures + "/docker-compose.production.yml"]
        let label = "audit-fleet-records-test=\(UInt32.random(in: 0...UInt32.max))"
        let container = "fwd-\(UInt32.random(in: 0...UInt32.max))"
        _ = try await TestEngine.run(["docker-compose", "-p", project] + files + ["up", "-d"], environment: ["DOCKER_HOST": host])
        defer {
            TestEngine.cleanup(["docker-compose", "-p", project] + files + ["down", "-t", "1"], environment: ["DOCKER_HOST": host])
            TestEngine.cleanup(["sh", "-c", "docker ps -aq --filter label=\(label) | xargs -r docker rm -f"], environment: ["DOCKER_HOST": host])
        }
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let db = dir + "/audit.db"
                let secret = "s3cr3t-\(UInt32.random(in: 0...UInt32.max))"
                try "\(secret)\n".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
                let port = Int.random(in: 20_000...40_000)
                let base = "http://127.0.0.1:\(port)"
                var runs = 0
                func collector() async throws -> CollectorProcess {
                    runs += 1
                    let process = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect-\(runs).log", arguments: [
                        "--forward", pg.url, "--host-name", "fleet-r", "--listen", "127.0.0.1:\(port)", "--webhook-secret-file", dir + "/secret",
                        "--compose-file", Self.fixtures + "/docker-compose.yml", "--compose-file", Self.fixtures + "/docker-compose.production.yml",
                        "-p", project, "--drift-interval", "1s"])
                    try await process.waitUntilLive()
                    try await eventually("webhook answering") { (try? TestEngine.runBlockingStatus(["curl", "-sf", base + "/healthz"])) == 0 }
                    return process
                }
                func deploy(_ id: String) async throws {
                    try await TestEngine.run([TestEngine.auditBinary, "deploy", "--collector", base, "--webhook-secret-file", dir + "/secret",
                                              "--id", id, "--project", project, "--", "true"])
                }
                func driftFinding(open: Bool) throws -> String? {
                    let s = try Database(path: db, readOnly: true, migrate: false)
                        .prepare("SELECT id FROM drift_findings WHERE field = 'memory' AND (resolved_ns IS NULL) = \(open ? 1 : 0)")
                    return try s.step() ? s.string(0) : nil
                }

                let first = try await collector()
                let identity = try #require(try StoreReader(path: db).hostIdentity())
                try await TestEngine.docker("run", "-d", "--name", container, "--label", label, "--network", "none", TestEngine.image, "sleep", "600")
                try await TestEngine.docker("exec", container, "true")
                try await deploy("records-1")
                try await TestEngine.docker("update", "--memory", "96m", "--memory-swap", "192m", "\(project)_api_1")
                try await eventually("the memory drift found", timeout: .seconds(30)) { try driftFinding(open: true) != nil }
                let finding = try #require(try driftFinding(open: true))
                try await TestEngine.run([TestEngine.auditBinary, "ack", "--db", db, finding, "--reason", "incident #7", "--expires", "48h", "--by", "ops"])
                try await eventually("PostgreSQL holding exactly the local rows", timeout: .seconds(60)) {
                    try await difference(db, pg, hostID: identity.hostID) == nil
                }

                // Killed mid-way: changes are being made and forwarded when it dies.
                try await TestEngine.docker("exec", container, "sh", "-c", "exit 0")
                try await TestEngine.docker("stop", "-t", "1", container)
                try await first.killHard()
                try await TestEngine.docker("start", container)

                let second = try await collector()
                try await TestEngine.docker("update", "--memory", "64m", "--memory-swap", "128m", "\(project)_api_1")
                try await eventually("the drift resolved", timeout: .seconds(30)) { try driftFinding(open: false) != nil }
                try await TestEngine.docker("rm", "-f", container)
                try await deploy("records-2")
                try await eventually("PostgreSQL holding exactly the local rows after the kill", timeout: .seconds(60)) {
                    try await difference(db, pg, hostID: identity.hostID) == nil
                }
                // What changed in place shows its final value there.
                #expect(try await pg.psql("SELECT count(*) FROM coverage WHERE ended_ns IS NOT NULL AND end_reason = 'collector stopped unexpectedly'") == "1")
                #expect(try await pg.psql("SELECT count(*) FROM gaps WHERE reconciled_ns IS NOT NULL") != "0", "the restart's gap, reconciled")
                #expect(try await pg.psql("SELECT status FROM deployments WHERE id = 'records-1' AND origin = '\(identity.hostID)'") == "success")
                #expect(try await pg.psql("SELECT count(*) FROM drift_findings WHERE resolved_ns IS NOT NULL AND field = 'memory'") == "1")
                #expect(try await pg.psql("SELECT finding_id || '|' || by FROM acks") == "\(finding)|ops")
                #expect(try await pg.psql("SELECT count(*) FROM snapshots WHERE config IS NULL AND container_id = (SELECT container_id FROM snapshots WHERE name = '\(container)' LIMIT 1)") == "1",
                        "the removal")
                #expect(try await pg.psql("SELECT count(*) FROM exec_commands") != "0")
                #expect(try await pg.psql("SELECT count(*) FROM exec_sessions") != "0")
                #expect(try localCount(db, "SELECT count(*) FROM forward_changes") < 20, "confirmed entries leave the log")
                #expect(try await second.stop() == 0)

                // PostgreSQL lost its position (changes_seq NULL) and some rows: a full copy puts them back.
                try await pg.psql("UPDATE hosts SET changes_seq = NULL; DELETE FROM coverage; UPDATE gaps SET cause = 'stale'")
                let third = try await collector()
                try await eventually("every row copied again", timeout: .seconds(60)) { try await difference(db, pg, hostID: identity.hostID) == nil }
                #expect(third.log.contains("PostgreSQL holds none of this host's records yet"), "\(third.log)")
                #expect(try await third.stop() == 0)

                // A PostgreSQL restored from a backup confirms less than the local log still names: a full copy again.
                try await pg.psql("UPDATE hosts SET changes_seq = 1; DELETE FROM acks; DELETE FROM deployments")
                let fourth = try await collector()
                try await eventually("every row copied after the restore", timeout: .seconds(60)) { try await difference(db, pg, hostID: identity.hostID) == nil }
                #expect(fourth.log.contains("but the local log was cut after change"), "\(fourth.log)")
                let status = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", db])
                #expect(try await fourth.stop() == 0)
                #expect(status.contains("forwarding  \(pg.maskedURL):"), "\(status)")
            }
        }
    }
}
