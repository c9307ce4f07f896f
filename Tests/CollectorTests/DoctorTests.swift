import AuditStore
import AuditSupport
import Foundation
import Testing

/// `audit doctor` against a working collector and against a broken setup: every check a line, the
/// failures with their fix, and the exit status a monitoring probe reads.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct DoctorTests {
    @Test func aRunningCollectorOnAReachableEnginePassesEveryCheck() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            let secret = dir + "/webhook.secret"
            try "s3cr3t".write(toFile: secret, atomically: true, encoding: .utf8)
            chmod(secret, 0o600)
            let collector = try CollectorProcess(dbPath: dir + "/audit.db", dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            let name = TestEngine.uniqueName("doctor")
            _ = try await TestEngine.docker("create", "--network", "none", "--name", name, TestEngine.image, "true")
            TestEngine.removeContainer(name)
            try await eventually("the create stored") { try await TestEngine.run([TestEngine.auditBinary, "events", "--db", dir + "/audit.db", "--since", "1m"]).contains(name) }
            let out = try await TestEngine.run([TestEngine.auditBinary, "doctor", "--db", dir + "/audit.db", "--docker-host", host, "--secret-file", secret])
            for check in ["socket", "engine", "schema", "integrity", "disk", "collector", "events", "secret"] {
                #expect(out.contains("ok    \(check)"), "\(check) did not pass:\n\(out)")
            }
            #expect(!out.contains("FAIL") && out.contains("all 8 checks passed"), "\(out)")
            #expect(try await collector.stop() == 0)
        }
    }

    @Test func aMissingEngineAnUnwatchedStoreAndAReadableSecretFailWithTheirFix() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            let collector = try CollectorProcess(dbPath: dir + "/audit.db", dockerHost: host, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            #expect(try await collector.stop() == 0)
            let secret = dir + "/webhook.secret"
            try "s3cr3t".write(toFile: secret, atomically: true, encoding: .utf8)
            chmod(secret, 0o644)
            do {
                let out = try await TestEngine.run([TestEngine.auditBinary, "doctor", "--db", dir + "/audit.db", "--docker-host", "unix://\(dir)/absent.sock",
                                                    "--secret-file", secret])
                Issue.record("doctor passed a broken setup:\n\(out)")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 1)
                let out = failure.stdout
                #expect(out.contains("FAIL  socket      \(dir)/absent.sock: No such file or directory"), "\(out)")
                #expect(out.contains("FAIL  engine"), "\(out)")
                #expect(out.contains("FAIL  collector   no collector connected since"), "\(out)")
                #expect(out.contains("FAIL  secret      \(secret) has mode 644") && out.contains("fix: chmod 600 \(secret)"), "\(out)")
                #expect(out.contains("ok    schema") && out.contains("ok    integrity"), "\(out)")
                #expect(out.contains(" of 8 checks failed"), "\(out)")
            }
            // The notifier's outbox: one sink down for ten minutes, another that refused a notification.
            let db = try Database(path: dir + "/audit.db")
            let old = Timestamp.now().nanoseconds - 600_000_000_000
            try db.execute("""
                INSERT INTO notifications (id, finding_id, status, time_ns, created_ns, body) VALUES (1, 'f1', 'opened', \(old), \(old), '{}');
                INSERT INTO notification_deliveries (sink, notification_id, failed_ns, last_error) VALUES ('webhook:aaaa', 1, NULL, 'unreachable'),
                    ('slack:bbbb', 1, \(old), '400 invalid_payload');
                """)
            do {
                let out = try await TestEngine.run([TestEngine.auditBinary, "doctor", "--db", dir + "/audit.db", "--docker-host", host])
                Issue.record("doctor passed a stuck notification sink:\n\(out)")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.stdout.contains("FAIL  notify      webhook:aaaa: 1 pending (oldest 10m"), "\(failure.stdout)")
                #expect(failure.stdout.contains("FAIL  notify      slack:bbbb: 0 pending, 1 refused by the sink in the last 24h")
                        && failure.stdout.contains("the sink answered 4xx"), "\(failure.stdout)")
            }
            try db.execute("UPDATE notification_deliveries SET sent_ns = \(old) WHERE sink = 'webhook:aaaa'")
            do {
                _ = try await TestEngine.run([TestEngine.auditBinary, "doctor", "--db", dir + "/audit.db", "--docker-host", host])
            } catch let failure as TestEngine.CommandFailed {
                // Still failing for the stopped collector and the refusal; the delivered sink passes.
                #expect(failure.stdout.contains("ok    notify      webhook:aaaa: 0 pending"), "\(failure.stdout)")
            }
            // A forwarding target that has confirmed nothing for ten minutes while events wait.
            try db.execute("""
                INSERT INTO forwarding (target, confirmed_ns, pending_rows, last_success_ns, last_error, last_error_ns, updated_ns)
                VALUES ('postgresql://audit:***@127.0.0.1:1/audit', \(old), 42, \(old), 'connection refused', \(old), \(old));
                """)
            do {
                let out = try await TestEngine.run([TestEngine.auditBinary, "doctor", "--db", dir + "/audit.db", "--docker-host", host])
                Issue.record("doctor passed a stuck forwarding target:\n\(out)")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.stdout.contains("FAIL  forward     postgresql://audit:***@127.0.0.1:1/audit: 42 events not confirmed, last success 10m")
                        && failure.stdout.contains("last error: connection refused"), "\(failure.stdout)")
            }
            do {
                _ = try await TestEngine.run([TestEngine.auditBinary, "doctor", "--db", dir + "/none.db", "--docker-host", host])
                Issue.record("doctor passed without a store")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 1 && failure.stdout.contains("FAIL  store       no audit store at \(dir)/none.db"), "\(failure.stdout)")
            }
        }
    }
}
