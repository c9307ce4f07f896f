import AuditStore
import AuditSupport
import Deployments
import DockerAPI
import Foundation
import Logging
import Testing

/// The reading commands against a fleet PostgreSQL that cannot be used: each says what happened with the
/// URL's password masked and what to do, and exits non-zero; a command that only works on a host's store
/// refuses the URL and says which commands read it.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "needs PostgreSQL 15 (install-deps installs postgresql)"))
struct FleetReadingTests {
    func failure(_ arguments: [String]) async throws -> TestEngine.CommandFailed {
        do {
            let out = try await TestEngine.run([TestEngine.auditBinary] + arguments)
            Issue.record("\(arguments) succeeded: \(out)")
            return TestEngine.CommandFailed(command: "", status: 0, stderr: "")
        } catch let failed as TestEngine.CommandFailed {
            return failed
        }
    }

    @Test func anUnusableFleetDatabaseIsSaidClearlyByEveryReader() async throws {
        try await TestPostgres.with { pg in
            let wrong = pg.url.replacingOccurrences(of: TestPostgres.password, with: "not-the-password")
            let refused = try await failure(["report", "--db", wrong])
            #expect(refused.stderr.contains("PostgreSQL at \(pg.maskedURL) refused user audit"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("not-the-password") && !refused.stderr.contains("local store"), "\(refused.stderr)")

            let closed = "postgresql://audit:\(TestPostgres.password)@127.0.0.1:1/audit?sslmode=disable"
            let unreachable = try await failure(["events", "--db", closed, "--since", "1h"])
            #expect(unreachable.stderr.contains("cannot reach PostgreSQL at postgresql://audit:***@127.0.0.1:1/audit"), "\(unreachable.stderr)")
            #expect(unreachable.stderr.contains("check that the server runs and listens there"), "\(unreachable.stderr)")

            _ = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", pg.url])
            try await pg.psql("INSERT INTO schema_migrations (version, name) VALUES (99, '099_future.sql')")
            let newer = try await failure(["status", "--db", pg.url])
            #expect(newer.stderr.contains("has fleet schema version 99, newer than this audit binary knows"), "\(newer.stderr)")
            #expect(newer.stderr.contains("upgrade audit"), "\(newer.stderr)")

            let hostOnly = try await failure(["ingest", "--db", pg.url, "/dev/null"])
            #expect(hostOnly.stderr.contains("not on the fleet's PostgreSQL") && hostOnly.stderr.contains("report, events, deployments"), "\(hostOnly.stderr)")
            #expect(!hostOnly.stderr.contains(TestPostgres.password), "\(hostOnly.stderr)")
        }
    }

    /// A host forwarding as web-1 on a machine with another hostname: its own report judges a record for
    /// host web-1 as the fleet report does, in band (it used the machine's hostname and flagged it).
    @Test func aHostsOwnReportNamesItAsItsCollectorDoes() async throws {
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let writer = try EventWriter(path: db, logger: Logger(label: "test"), flushIntervalMs: 20)
            let at = Timestamp.now().nanoseconds - 600_000_000_000
            let labels = ["name": "shop_api_1", "com.docker.compose.project": "shop", "com.docker.compose.service": "api", "memory": "134217728"]
            writer.enqueue(events: [DockerEvent(type: "container", action: "update", actorID: "c0ffee", attributes: Attributes(labels), scope: "local", timeNano: at)],
                           source: .stream)
            await writer.flush()
            await writer.close()
            _ = try ForwardingLedger(path: db).identity(name: "web-1-\(ProcessInfo.processInfo.processIdentifier)")
            let record = DeploymentRecord(id: "d-web-1", source: .webhook, host: "web-1-\(ProcessInfo.processInfo.processIdentifier)", project: "shop",
                                          status: .success, startedAt: Timestamp(nanoseconds: at - 1_000_000_000), finishedAt: Timestamp(nanoseconds: at + 1_000_000_000))
            _ = try DeploymentRepository(path: db).store(record, deliveryID: nil)
            let text = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", db, "--since", "1h", "--format", "json", "--in-band"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let inBand = json["in_band"] as? [[String: Any]] ?? []
            #expect(inBand.contains { $0["deployment"] as? String == "d-web-1" }, "\(text.prefix(1_500))")
            #expect((json["findings"] as? [Any] ?? []).isEmpty, "\(text.prefix(1_500))")
        }
    }
}
