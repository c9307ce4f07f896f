import Foundation
import Testing

/// What a fleet host's report reads from PostgreSQL (`FleetHostStore`), against rows written as the
/// forwarder and `audit serve` write them: one deployment however many origins hold it, and an exec found
/// by its id without parsing any event's extra attributes.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "needs PostgreSQL 15 (install-deps installs postgresql)"))
struct FleetHostStoreTests {
    @Test func aDeploymentUnderBothOriginsIsOneAndAMalformedExtraFailsNothing() async throws {
        try await TestPostgres.with { pg in
            _ = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", pg.url])
            let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
            let minute: Int64 = 60_000_000_000
            let started = now - 60 * minute
            let finished = now - 30 * minute
            // CI posted the start to the host's collector and both to `audit serve`: the host holds the
            // record in progress, the fleet finished.
            let open = #"{"id":"d-1","status":"in_progress","started_at":"\#(FleetPruneTests.rfc3339(started))","project":"shop"}"#
            let done = #"{"id":"d-1","status":"success","started_at":"\#(FleetPruneTests.rfc3339(started))","finished_at":"\#(FleetPruneTests.rfc3339(finished))","project":"shop"}"#
            try await pg.psql("""
                INSERT INTO hosts (host_id, name) VALUES ('h1', 'web-1');
                SELECT fleet_create_event_partitions(\(now - 2 * 60 * minute), \(now));
                INSERT INTO deployments (origin, id, source, status, started_ns, finished_ns, project, record, received_ns, updated_ns) VALUES
                    ('h1', 'd-1', 'webhook', 'in_progress', \(started), NULL, 'shop', '\(open)', \(started), \(started)),
                    ('', 'd-1', 'webhook', 'success', \(started), \(finished), 'shop', '\(done)', \(started), \(finished));
                INSERT INTO exec_sessions (host_id, exec_id, container_id, inspected_ns, tty, privileged) VALUES
                    ('h1', 'x-broken', 'c1', \(now - 10 * minute), true, false),
                    ('h1', 'x-person', 'c1', \(now - 9 * minute), true, false);
                INSERT INTO events (host_id, time_ns, type, actor_id, action, detail, attributes, extra, source) VALUES
                    ('h1', \(now - 10 * minute - 1_000_000_000), 'container', 'c1', 'exec_start', 'sh', '{}', '{"execID":"x-broken"', 0),
                    ('h1', \(now - 9 * minute - 1_000_000_000), 'container', 'c1', 'exec_start', 'sh', '{}', '{"execID":"x-person"}', 0);
                """)
            let json = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", pg.url, "--format", "json"])
            let fleet = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
            let host = try #require((fleet["hosts"] as? [[String: Any]])?.first, "\(json)")
            let report = try #require(host["report"] as? [String: Any], "\(json)")
            let deployments = try #require(report["deployments"] as? [[String: Any]], "\(json)")
            #expect(deployments.count == 1, "\(deployments)")
            #expect(deployments.first?["status"] as? String == "success", "\(deployments)")
            #expect((report["summary"] as? [String: Any])?["deployments"] as? Int == 1, "\(json)")
            // Both execs had a tty, so both are findings: the id is matched as text, and an extra cut short
            // (not JSON) is found by it like any other instead of failing the report.
            let findings = try #require(report["findings"] as? [[String: Any]], "\(json)")
            #expect(findings.map { $0["action"] as? String } == ["exec_start", "exec_start"], "\(findings)")
        }
    }
}
