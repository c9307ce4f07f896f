import Foundation
import Testing

/// `audit prune --db postgresql://…` against a real PostgreSQL: day partitions wholly older than the
/// retention are dropped, newer ones and the small tables kept, and a fleet report says "pruned" and still
/// knows which deployment created a container that is still running.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "needs PostgreSQL 15 (install-deps installs postgresql)"))
struct FleetPruneTests {
    @Test func daysOlderThanTheRetentionAreDroppedWholeAndReportsSaySo() async throws {
        try await TestPostgres.with { pg in
            // The fleet schema, as any reading command applies it.
            let empty = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", pg.url])
            #expect(empty.contains("hosts       0"), "\(empty)")
            let day: Int64 = 86_400_000_000_000
            let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
            let times = [now - 100 * day, now - 95 * day, now - 89 * day, now - 60_000_000_000]
            var sql = "INSERT INTO hosts (host_id, name) VALUES ('h1', 'old-host');"
            for (i, t) in times.enumerated() {
                sql += "SELECT fleet_create_event_partitions(\(t), \(t));"
                sql += "INSERT INTO events (host_id, time_ns, type, actor_id, action, attributes, source) VALUES ('h1', \(t), 'container', 'c\(i)', 'update', '{}', 0);"
                sql += "INSERT INTO snapshots (host_id, id, container_id, taken_ns, reason) VALUES ('h1', \(i), 'c\(i)', \(t), 'update');"
            }
            // A health probe's inspection and a person's, both 100 days old.
            sql += "INSERT INTO exec_sessions (host_id, exec_id, container_id, inspected_ns, tty, privileged) VALUES "
                + "('h1', 'probe', 'c0', \(times[0]), false, false), ('h1', 'person', 'c0', \(times[0]), true, false);"
            try await pg.psql(sql)
            #expect(try await pg.psql("SELECT count(*) FROM events") == "4")

            // A long query holding the days: the prune gives up within seconds, drops nothing, says so.
            let holder = try ChildProcess(["psql", "-X", "-q", "-h", pg.directory, "-p", String(pg.port), "-U", TestPostgres.user, "-d", "audit",
                                           "-c", "BEGIN; SELECT count(*) FROM events; SELECT pg_sleep(8); COMMIT;"],
                                          stdout: "/dev/null", stderr: "/dev/null")
            defer { holder.signal(SIGKILL); _ = holder.waitBlocking() }
            try await Task.sleep(for: .milliseconds(500))
            do {
                let out = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", pg.url, "--retention", "90d"])
                Issue.record("prune went ahead under a held lock: \(out)")
            } catch let failed as TestEngine.CommandFailed {
                #expect(failed.stderr.contains("could not be locked within 5 s") && failed.stderr.contains("nothing was dropped"), "\(failed.stderr)")
            }
            #expect(try await pg.psql("SELECT count(*) FROM events") == "4", "nothing dropped")
            #expect(try await pg.psql("SELECT count(*) FROM fleet_retention") == "0", "no horizon without the drop")
            _ = await holder.wait()

            let pruned = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", pg.url, "--retention", "90d"])
            #expect(pruned.contains("dropped 2 day partition(s)"), "\(pruned)")
            #expect(try await pg.psql("SELECT count(*) FROM events") == "2", "the days 89 days ago and today stay")
            #expect(try await pg.psql("SELECT count(*) FROM snapshots") == "4", "container history stays")
            #expect(try await pg.psql("SELECT exec_id FROM exec_sessions") == "person", "the probe's inspection went with its day")
            let partitions = try await pg.psql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass")
            #expect(partitions == "2", "\(partitions)")

            let again = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", pg.url, "--retention", "90d"])
            #expect(again.contains("nothing dropped"), "\(again)")
            let report = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", pg.url, "--since", "120d"])
            #expect(report.contains("were pruned by retention"), "\(report)")
            let status = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", pg.url])
            #expect(status.contains("retention   events before") && status.contains("old-host"), "\(status)")
        }
    }

    /// The reconciliation section says which deployment last created each running compose container,
    /// however old: the creates are kept apart from the day partitions, so dropping the day of a create
    /// leaves the container's origin known (the host's own retention keeps them too).
    @Test func aRunningContainersCreateOutlivesTheDropOfItsDay() async throws {
        try await TestPostgres.with { pg in
            _ = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", pg.url])
            let day: Int64 = 86_400_000_000_000
            let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
            let created = now - 100 * day
            let createdText = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(created / 1_000_000_000)))
            let record = #"{"id":"deploy-old","status":"success","started_at":"\#(Self.rfc3339(created - 10_000_000_000))","finished_at":"\#(Self.rfc3339(created + 60_000_000_000))","project":"shop"}"#
            try await pg.psql("""
                INSERT INTO hosts (host_id, name) VALUES ('h1', 'old-host');
                SELECT fleet_create_event_partitions(\(created), \(created));
                INSERT INTO deployments (origin, id, source, status, started_ns, finished_ns, project, record, received_ns, updated_ns)
                VALUES ('', 'deploy-old', 'webhook', 'success', \(created - 10_000_000_000), \(created + 60_000_000_000), 'shop', '\(record)', \(created), \(created));
                INSERT INTO events (host_id, time_ns, type, actor_id, action, attributes, source, project, service) VALUES
                    ('h1', \(created), 'container', 'c-shop-web', 'create', '{"com.docker.compose.project":"shop","com.docker.compose.service":"web","name":"shop-web-1"}', 0, 'shop', 'web');
                INSERT INTO snapshots (host_id, id, container_id, taken_ns, reason, running, config, project, service) VALUES
                    ('h1', 1, 'c-shop-web', \(created), 'create', false, '{"name":"/shop-web-1","created":"\(createdText)","running":false}', 'shop', 'web'),
                    ('h1', 2, 'c-shop-web', \(now - day), 'start', true, '{"name":"/shop-web-1","created":"\(createdText)","running":true}', 'shop', 'web');
                """)
            let before = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", pg.url])
            #expect(before.contains("reconciliation shop: last full recreate deploy-old"), "\(before)")

            let pruned = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", pg.url, "--retention", "90d"])
            #expect(pruned.contains("dropped 1 day partition(s)"), "\(pruned)")
            #expect(try await pg.psql("SELECT count(*) FROM events WHERE action = 'create'") == "0", "the create's day is gone")
            let report = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", pg.url])
            #expect(report.contains("reconciliation shop: last full recreate deploy-old"), "\(report)")
            let row = report.split(separator: "\n").first { $0.contains("shop-web-1") }
            #expect(row?.contains("deploy-old") == true, "\(report)")
        }
    }

    static func rfc3339(_ ns: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ns) / 1e9))
    }
}
