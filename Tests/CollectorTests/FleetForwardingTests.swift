import AuditSchema
import AuditStore
import AuditSupport
import DockerAPI
@testable import Fleet
import Foundation
import Logging
import Testing

/// `audit collect --forward postgresql://…` against the private engine and a PostgreSQL 15 of the test's
/// own: what reaches PostgreSQL through an outage and a `kill -9` is exactly the local store's events,
/// and a PostgreSQL that cannot be used is said clearly while collecting goes on.
@Suite(.serialized, .enabled(if: TestEngine.enabled && TestPostgres.enabled,
                             "needs AUDIT_TEST_DOCKER_HOST and PostgreSQL 15 (scripts/test starts a private dockerd; install-deps installs postgresql)"))
struct FleetForwardingTests {
    /// Containers that start, exit and are removed: about five events each (create, attach, start, die, destroy).
    func churn(_ count: Int, label: String) async throws {
        for _ in 0..<count {
            try await TestEngine.docker("run", "--rm", "--network", "none", "--label", label, TestEngine.image, "true")
        }
    }

    /// Every event's key in the local store: time, type, actor id, action.
    func localKeys(_ db: String) throws -> Set<String> {
        let events = try StoreReader(path: db).events(EventQuery(sinceNs: .min, untilNs: .max))
        return Set(events.map { "\($0.timeNano)|\($0.type)|\($0.actorID)|\($0.action)" })
    }

    func localCount(_ db: String) throws -> Int {
        try StoreReader(path: db).eventCount(fromNs: .min, toNs: .max).asInt
    }

    func fleetKeys(_ pg: TestPostgres, hostID: String) async throws -> [String] {
        try await pg.psql("SELECT time_ns || '|' || type || '|' || actor_id || '|' || action FROM events WHERE host_id = '\(hostID)'")
            .split(separator: "\n").map(String.init)
    }

    @Test func eventsReachPostgreSQLExactlyOnceThroughAnOutageAndAKill9() async throws {
        let host = try TestEngine.requireHost()
        let label = "audit-fleet-test=\(UInt32.random(in: 0...UInt32.max))"
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let db = dir + "/audit.db"
                let forward = ["--forward", pg.url, "--host-name", "fleet-a"]
                let first = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect-1.log", arguments: forward)
                try await first.waitUntilLive()
                try await churn(3, label: label)
                try await eventually("the first events in PostgreSQL") {
                    try await Int(pg.psql("SELECT count(*) FROM events")) ?? 0 >= 15
                }

                // PostgreSQL away for 20 s while containers keep coming: collecting goes on, said once.
                try await pg.stop()
                let storedBefore = try localCount(db)
                let outage = ContinuousClock.now
                while ContinuousClock.now - outage < .seconds(20) { try await churn(1, label: label) }
                #expect(try localCount(db) >= storedBefore + 20, "collecting went on locally during the outage")
                #expect(first.log.contains("cannot reach PostgreSQL at \(pg.maskedURL)"), "\(first.log)")
                #expect(first.log.components(separatedBy: "forwarding to PostgreSQL failed").count - 1 == 1, "logged once, not per retry")
                #expect(!first.log.contains(TestPostgres.password))

                // Back, and the collector killed before it could have caught up (it waits out its backoff).
                try await pg.start()
                try await churn(2, label: label)
                try await first.killHard()

                let second = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect-2.log", arguments: forward)
                try await second.waitUntilLive()
                try await churn(2, label: label)
                // `docker run --rm` returns when the container exited; its destroy follows within a moment.
                try await Task.sleep(for: .seconds(2))
                let identity = try #require(try StoreReader(path: db).hostIdentity())
                try await eventually("PostgreSQL holding exactly the local store's events", timeout: .seconds(60)) {
                    try await Set(fleetKeys(pg, hostID: identity.hostID)) == localKeys(db)
                }
                #expect(try await second.stop() == 0)

                let fleet = try await fleetKeys(pg, hostID: identity.hostID)
                let local = try localKeys(db)
                #expect(fleet.count == Set(fleet).count, "no duplicates")
                #expect(Set(fleet) == local)
                #expect(local.count >= 100)
                #expect(try await pg.psql("SELECT count(*) FROM events") == String(local.count), "every row carries this host's id")
                #expect(try await pg.psql("SELECT host_id || '|' || name FROM hosts") == "\(identity.hostID)|fleet-a")
                #expect(second.log.contains("connected to PostgreSQL"))
                let status = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", db])
                // Every event PostgreSQL holds is confirmed in the ledger, also those of the forwarder's last
                // batches before the stop. The collector closes its coverage interval after the forwarder has
                // stopped, and snapshots written in the forwarder's last poll interval wait too: sent at the
                // next start, one changed record or more.
                let prefix = "forwarding  \(pg.maskedURL): "
                let line = status.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } ?? ""
                #expect(line.hasPrefix("caught up;") || (line.hasPrefix("events caught up, ") && line.contains(" changed record(s) not confirmed")),
                        "\(status)")
                #expect(status.contains("host        fleet-a (fleet id \(identity.hostID))"), "\(status)")
            }
        }
        TestEngine.cleanup(["sh", "-c", "docker ps -aq --filter label=\(label) | xargs -r docker rm -f"], environment: ["DOCKER_HOST": host])
    }

    @Test func theBacklogAndTheLastSuccessAreInMetrics() async throws {
        let host = try TestEngine.requireHost()
        let label = "audit-fleet-test=\(UInt32.random(in: 0...UInt32.max))"
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let db = dir + "/audit.db"
                let port = Int.random(in: 18_000...19_999)
                // sslmode=prefer, the default: this server offers no TLS, so the session goes on in the clear.
                let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log", arguments: [
                    "--forward", pg.url.replacingOccurrences(of: "?sslmode=disable", with: ""), "--listen", "127.0.0.1:\(port)", "--insecure-no-auth"])
                try await collector.waitUntilLive()
                func metrics() async throws -> [String: Double] {
                    let text = try await TestEngine.run(["curl", "-s", "http://127.0.0.1:\(port)/metrics"])
                    return Dictionary(text.split(separator: "\n").filter { $0.hasPrefix("audit_forward") }.compactMap { line in
                        let parts = line.split(separator: " ")
                        return parts.count == 2 ? (String(parts[0]), Double(parts[1]) ?? .nan) : nil
                    }, uniquingKeysWith: { a, _ in a })
                }
                try await churn(2, label: label)
                try await eventually("caught up in /metrics") {
                    let m = try await metrics()
                    return m["audit_forward_connected"] == 1 && m["audit_forward_pending_events"] == 0 && (m["audit_forward_events_stored_total"] ?? 0) >= 10
                }
                let caughtUp = try await metrics()
                #expect(abs((caughtUp["audit_forward_last_success_timestamp_seconds"] ?? 0) - Date().timeIntervalSince1970) < 10)

                try await pg.stop()
                try await churn(3, label: label)
                try await eventually("a backlog in /metrics while PostgreSQL is down", timeout: .seconds(30)) {
                    let m = try await metrics()
                    return m["audit_forward_connected"] == 0 && (m["audit_forward_pending_events"] ?? 0) >= 10 && (m["audit_forward_lag_seconds"] ?? 0) > 0
                }
                let status = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", db])
                #expect(status.contains("event(s) not confirmed"), "\(status)")
                #expect(status.contains("last error"), "\(status)")
                try await pg.start()
                try await eventually("caught up again", timeout: .seconds(60)) {
                    try await metrics()["audit_forward_pending_events"] == 0
                }
                #expect(try await collector.stop() == 0)
            }
        }
    }

    @Test func anUnreachableServerAndAWrongPasswordAreSaidClearlyWhileCollectingGoesOn() async throws {
        let host = try TestEngine.requireHost()
        let label = "audit-fleet-test=\(UInt32.random(in: 0...UInt32.max))"
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let cases: [(url: String, shown: String, says: String)] = [
                    ("postgresql://audit:not-the-pw@127.0.0.1:\(pg.port)/audit?sslmode=disable",
                     "postgresql://audit:***@127.0.0.1:\(pg.port)/audit?sslmode=disable", "refused user audit"),
                    ("postgresql://audit:not-the-pw@127.0.0.1:1/audit?sslmode=disable",
                     "postgresql://audit:***@127.0.0.1:1/audit?sslmode=disable", "cannot reach PostgreSQL"),
                ]
                for (index, c) in cases.enumerated() {
                    let db = dir + "/audit-\(index).db"
                    let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect-\(index).log", arguments: ["--forward", c.url])
                    try await collector.waitUntilLive()
                    try await churn(2, label: label)
                    try await eventually("the failure logged: \(c.says)") { collector.log.contains(c.says) }
                    let line = try #require(collector.log.split(separator: "\n").first { $0.contains(c.says) })
                    #expect(line.contains(c.shown), "\(line)")
                    #expect(line.contains("events stay in the local store"), "\(line)")
                    #expect(index == 1 || line.contains("check the password (from URL)"), "\(line)")
                    #expect(!collector.log.contains("not-the-pw"))
                    try await eventually("the events stored locally") { try localCount(db) >= 10 }
                    #expect(try await collector.stop() == 0)
                    let status = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", db])
                    #expect(status.contains("last error"), "\(status)")
                    #expect(!status.contains("not-the-pw"))
                }
                #expect(try await pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'events'") == "0", "nothing was written")
            }
        }
    }

    @Test func theSameBatchSentTwiceStoresNothingNew() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let db = dir + "/audit.db"
                try await TestEngine.run([TestEngine.auditBinary, "ingest", "--db", db, TestEngine.packageRoot + "/Tests/DockerAPITests/Fixtures/engine-20.10-capture.ndjson"])
                let ledger = try ForwardingLedger(path: db)
                let identity = try ledger.identity(name: "fleet-b")
                let batch = try ledger.events(after: .start(atNs: .min), limit: 1_000)
                #expect(batch.count == 47)
                let url = try FleetURL.parse(pg.url, environment: [:])
                let connection = try await FleetConnection.connect(url, logger: Logger(label: "test"))
                try await connection.migrate()
                try await connection.announce(identity)
                try await connection.createPartitions(fromNs: batch.first!.timeNs, toNs: batch.last!.timeNs)
                #expect(try await connection.insert(batch, hostID: identity.hostID) == 47)
                #expect(try await connection.insert(batch, hostID: identity.hostID) == 0)
                #expect(try await connection.insert(Array(batch.suffix(10)), hostID: identity.hostID) == 0)
                #expect(try await connection.confirmedNs(hostID: identity.hostID) == batch.last!.timeNs)
                #expect(try await pg.psql("SELECT count(*) FROM events") == "47")
                // What a reader needs is in the row, without the host's dictionaries; NULL stays NULL.
                let first = batch[0]
                #expect(try await pg.psql("""
                    SELECT type || '|' || actor_id || '|' || action || '|' || attributes || '|' || coalesce(detail, 'NULL') || '|' || source
                    FROM events WHERE time_ns = \(first.timeNs) AND actor_id = '\(first.actorID)' AND action = '\(first.action)'
                    """) == "\(first.type)|\(first.actorID)|\(first.action)|\(first.attributes)|\(first.detail ?? "NULL")|\(first.source.rawValue)")
                await connection.close()
            }
        }
    }

    /// A store of the test's own, its writer flushing every 20 ms, and a forwarder from it into `pg`
    /// polling every 50 ms (not started).
    static func storeAndForwarder(into pg: TestPostgres, in dir: String, hostName: String) throws
        -> (db: String, writer: EventWriter, forwarder: ForwarderService, url: FleetURL) {
        let db = dir + "/audit.db"
        let logger = Logger(label: "test")
        let url = try FleetURL.parse(pg.url, environment: [:])
        var configuration = ForwarderService.Configuration(url: url, hostName: hostName)
        configuration.pollInterval = .milliseconds(50)
        return (db, try EventWriter(path: db, logger: logger, flushIntervalMs: 20), ForwarderService(configuration: configuration, storePath: db, logger: logger), url)
    }

    /// A container event named after its actor.
    static func event(_ action: String, _ actor: String, _ ns: Int64) -> DockerEvent {
        DockerEvent(type: "container", action: action, actorID: actor, attributes: Attributes(["name": actor]), scope: "local", timeNano: ns)
    }

    /// Events committed behind the forwarder's position: within the overlap they are found by counting,
    /// older ones only through the gap whose reconciliation stored them.
    @Test func eventsStoredBehindTheForwardersPositionStillArrive() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let (db, writer, forwarder, _) = try Self.storeAndForwarder(into: pg, in: dir, hostName: "fleet-c")
                let base = Timestamp.now().nanoseconds - 120_000_000_000
                let event = Self.event
                writer.enqueue(events: (0..<100).map { event("start", "c\($0)", base + Int64($0) * 1_000_000_000) }, source: .stream)
                await writer.flush()
                func count() async throws -> Int { try await Int(pg.psql("SELECT count(*) FROM events")) ?? -1 }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await forwarder.run() }
                    try await eventually("the first 100 events forwarded") { try await count() == 100 }

                    // 2 s behind the newest forwarded: inside the overlap, found by the count.
                    writer.enqueue(events: [event("kill", "c99", base + 97_000_000_000)], source: .stream)
                    await writer.flush()
                    try await eventually("the late event within the overlap forwarded") { try await count() == 101 }

                    // A minute behind, as reconciliation dates a change inside a gap: not found by the count ...
                    let inGap = event("die", "c1", base + 40_000_000_000)
                    writer.enqueue(events: [inGap], source: .reconciliation)
                    await writer.flush()
                    try await Task.sleep(for: .seconds(1))
                    #expect(try await count() == 101)
                    // ... but the gap's reconciliation sends its stretch again.
                    writer.record(gap: GapRecord(dockerHost: "test", fromNs: base + 30_000_000_000, toNs: base + 50_000_000_000, cause: "test",
                                                 replayed: 0, reconciledNs: Timestamp.now().nanoseconds, changesFound: 1))
                    await writer.flush()
                    try await eventually("the event dated inside the reconciled gap forwarded") { try await count() == 102 }
                    // Counted once the insert returned, a moment after PostgreSQL committed it.
                    try await eventually("the forwarder's count") { forwarder.status.snapshot.rowsInserted == 102 }
                    #expect(forwarder.status.snapshot.rowsSent > 102, "the stretches were sent again and deduplicated")
                    group.cancelAll()
                }
                await writer.close()
                let identity = try #require(try StoreReader(path: db).hostIdentity())
                #expect(try await Set(fleetKeys(pg, hostID: identity.hostID)) == localKeys(db))
            }
        }
    }

    /// The ledger is written every 2 s while forwarding; a stop in between wrote nothing, and `audit
    /// status` then counted the last batches PostgreSQL had confirmed as not confirmed until the next start.
    @Test func aCleanStopRecordsWhatPostgreSQLConfirmed() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let (db, writer, forwarder, url) = try Self.storeAndForwarder(into: pg, in: dir, hostName: "fleet-stop")
                let base = Timestamp.now().nanoseconds - 120_000_000_000
                func event(_ n: Int64) -> DockerEvent { Self.event("start", "c\(n)", base + n * 1_000_000_000) }
                writer.enqueue(events: (0..<50).map(event), source: .stream)
                await writer.flush()
                func count() async throws -> Int { try await Int(pg.psql("SELECT count(*) FROM events")) ?? -1 }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await forwarder.run() }
                    try await eventually("the first 50 events forwarded") { try await count() == 50 }
                    // Past the forwarder's 2 s report, so the next batch lands between two reports.
                    try await Task.sleep(for: .seconds(2.5))
                    writer.enqueue(events: [event(60)], source: .stream)
                    await writer.flush()
                    try await eventually("the last event forwarded") { forwarder.status.snapshot.rowsInserted == 51 }
                    group.cancelAll()
                }
                await writer.close()
                let state = try ForwardingLedger(path: db).state(target: url.description)
                #expect(state?.confirmedNs == base + 60_000_000_000, "\(String(describing: state))")
                #expect(state?.pendingRows == 0)
            }
        }
    }

    /// One event dated ten minutes ahead (a clock stepped back, a skewed dump) is held until its time
    /// comes instead of carrying the position past everything stored after it; how far the host's events
    /// have arrived is recorded for the fleet's readers.
    @Test func anEventDatedInTheFutureDoesNotHideTheOnesAfterIt() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let (_, writer, forwarder, _) = try Self.storeAndForwarder(into: pg, in: dir, hostName: "fleet-d")
                let now = Timestamp.now().nanoseconds
                let event = Self.event
                writer.enqueue(events: (0..<10).map { event("start", "c\($0)", now - 60_000_000_000 + Int64($0) * 1_000_000_000) }
                               + [event("stop", "skewed", now + 600_000_000_000)], source: .stream)
                await writer.flush()
                func count() async throws -> Int { try await Int(pg.psql("SELECT count(*) FROM events")) ?? -1 }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await forwarder.run() }
                    try await eventually("the ten events of the past forwarded") { try await count() == 10 }
                    // Stored after the skewed one, dated now: it must not lie behind the forwarder's position.
                    writer.enqueue(events: [event("kill", "c1", Timestamp.now().nanoseconds)], source: .stream)
                    await writer.flush()
                    try await eventually("the event after the skewed one forwarded") { try await count() == 11 }
                    #expect(try await pg.psql("SELECT count(*) FROM events WHERE actor_id = 'skewed'") == "0", "held until its time")
                    try await eventually("how far the events arrived, recorded", timeout: .seconds(10)) {
                        let until = try await Int64(pg.psql("SELECT coalesce(events_until_ns, 0) FROM hosts")) ?? 0
                        return until > now - 10_000_000_000 && until < now + 60_000_000_000
                    }
                    group.cancelAll()
                }
                await writer.close()
            }
        }
    }

    @Test func aSchemaNewerThanTheBinaryIsRefused() async throws {
        try await TestPostgres.with { pg in
            let url = try FleetURL.parse(pg.url, environment: [:])
            let connection = try await FleetConnection.connect(url, logger: Logger(label: "test"))
            try await connection.migrate()
            try await connection.migrate()
            try await pg.psql("INSERT INTO schema_migrations (version, name) VALUES (99, '099_future.sql')")
            await #expect(throws: FleetError(.schemaNewer, "PostgreSQL at \(pg.maskedURL) has fleet schema version 99, newer than this audit binary knows (\(Migrations.postgres.count)); upgrade audit here")) {
                try await connection.migrate()
            }
            #expect(try await pg.psql("SELECT count(*) FROM schema_migrations") == String(Migrations.postgres.count + 1), "nothing applied, nothing rolled back that was there")
            await connection.close()
        }
    }
}

extension Int64 {
    fileprivate var asInt: Int { Int(self) }
}
