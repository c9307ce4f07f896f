import Foundation
import Testing

/// `audit prune --db postgresql://…` against a real PostgreSQL: day partitions wholly older than the
/// retention are dropped, newer ones and the small tables kept, and a fleet report says "pruned".
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
            try await pg.psql(sql)
            #expect(try await pg.psql("SELECT count(*) FROM events") == "4")

            let pruned = try await TestEngine.run([TestEngine.auditBinary, "prune", "--db", pg.url, "--retention", "90d"])
            #expect(pruned.contains("dropped 2 day partition(s)"), "\(pruned)")
            #expect(try await pg.psql("SELECT count(*) FROM events") == "2", "the days 89 days ago and today stay")
            #expect(try await pg.psql("SELECT count(*) FROM snapshots") == "4", "container history stays")
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
}
