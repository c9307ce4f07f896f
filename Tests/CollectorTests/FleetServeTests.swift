import AuditSupport
import Deployments
@testable import Fleet
import Foundation
import Logging
import Testing

/// `audit serve --db postgresql://…`: the deployment webhook for the whole fleet, without a Docker engine,
/// driven over real HTTP against a PostgreSQL 15 of the test's own; and `audit import` into the same store.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "needs PostgreSQL 15 (scripts/install-deps installs postgresql)"))
struct FleetServeTests {
    static let webhookSecret = "serve-secret-\(UInt32.random(in: 0...UInt32.max))"
    static let githubSecret = "gh-secret-4242"
    static let gitlabToken = "gl-token-4242"

    /// The three routes' secret files, written into `dir`.
    func secretArguments(_ dir: String) throws -> [String] {
        try "\(Self.webhookSecret)\n".write(toFile: dir + "/webhook.secret", atomically: true, encoding: .utf8)
        try Self.githubSecret.write(toFile: dir + "/github.secret", atomically: true, encoding: .utf8)
        try Self.gitlabToken.write(toFile: dir + "/gitlab.token", atomically: true, encoding: .utf8)
        return ["--webhook-secret-file", dir + "/webhook.secret", "--github-secret-file", dir + "/github.secret", "--gitlab-token-file", dir + "/gitlab.token"]
    }

    /// Deployment records stored by `audit serve`: `id|status|source|host|started_ns|finished_ns`, by id.
    func rows(_ pg: TestPostgres) async throws -> [String] {
        try await pg.psql("""
            SELECT id || '|' || status || '|' || source || '|' || coalesce(host, '') || '|' || started_ns || '|' || coalesce(finished_ns::text, '')
            FROM deployments WHERE origin = '' ORDER BY id
            """).split(separator: "\n").map(String.init)
    }

    func postRecord(_ base: String, _ json: String, delivery: String) async throws -> HTTP.Answer {
        let body = Array(json.utf8)
        return try await HTTP.post(base + "/v1/deployments", body: body,
                                   headers: WebhookSignature.standardWebhooksHeaders(body: body, id: delivery, secret: Self.webhookSecret, now: .now()))
    }

    /// A provider's fixture with its times moved to an hour ago: the receiver refuses records older than 7 days.
    func fixture(_ name: String, replacing: [(String, String)] = []) throws -> [UInt8] {
        var text = try String(contentsOfFile: TestEngine.packageRoot + "/Tests/DeploymentsTests/Fixtures/" + name, encoding: .utf8)
        for (old, new) in replacing { text = text.replacingOccurrences(of: old, with: new) }
        return Array(text.utf8)
    }

    static func hourAgo(_ format: String) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = format
        return formatter.string(from: Date().addingTimeInterval(-3_600))
    }

    static func rfc3339(secondsAgo: Double) -> String {
        RFC3339.format(Timestamp(nanoseconds: Int64((Date().timeIntervalSince1970 - secondsAgo) * 1e9)))
    }

    @Test func everyRouteStoresIntoPostgreSQLWithTheCollectorsChecksAndAnswers() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let serve = try ServeProcess(db: pg.url, logPath: dir + "/serve.log", arguments: try secretArguments(dir))
                try await serve.waitUntilListening()
                let health = try await HTTP.get(serve.base + "/healthz")
                #expect(health.status == 200, "\(serve.log)")
                #expect(health.body == #"{"status":"ok","connected":true}"#)

                // Standard Webhooks: a start, then its finish under the same id, make one row.
                let startedAt = Self.rfc3339(secondsAgo: 120)
                let start = #"{"id":"serve-1","status":"in_progress","started_at":"\#(startedAt)","project":"shop","host":"web-1"}"#
                let finish = #"{"id":"serve-1","status":"success","started_at":"\#(startedAt)","finished_at":"\#(Self.rfc3339(secondsAgo: 60))","project":"shop","host":"web-1"}"#
                let opened = try await postRecord(serve.base, start, delivery: "serve-1:in_progress")
                #expect(opened.status == 200)
                #expect(opened.body == #"{"status":"stored","id":"serve-1","deployment_status":"in_progress"}"#)
                let body = Array(finish.utf8)
                let signed = WebhookSignature.standardWebhooksHeaders(body: body, id: "serve-1:success", secret: Self.webhookSecret, now: .now())
                let closed = try await HTTP.post(serve.base + "/v1/deployments", body: body, headers: signed)
                #expect(closed.body == #"{"status":"stored","id":"serve-1","deployment_status":"success"}"#)
                // The same delivery again (a sender's retry): stored once, answered as a collector answers.
                let again = try await HTTP.post(serve.base + "/v1/deployments", body: body, headers: signed)
                #expect(again.status == 200)
                #expect(again.body == #"{"status":"duplicate delivery"}"#)
                var stored = try await rows(pg)
                #expect(stored.count == 1)
                #expect(stored.first?.hasPrefix("serve-1|success|webhook|web-1|") == true, "\(stored)")
                #expect(try await pg.psql("SELECT count(*) FROM webhook_deliveries") == "2")

                // Refused before anything is stored: unsigned, and larger than the body limit.
                let unsigned = try await HTTP.post(serve.base + "/v1/deployments", body: Array(start.replacingOccurrences(of: "serve-1", with: "serve-x").utf8), headers: [])
                #expect(unsigned.status == 401)
                let big = [UInt8](repeating: UInt8(ascii: " "), count: 2 << 20)
                let oversize = try await HTTP.post(serve.base + "/v1/deployments", body: big,
                                                   headers: WebhookSignature.standardWebhooksHeaders(body: big, id: "big", secret: Self.webhookSecret, now: .now()))
                #expect(oversize.status == 413)

                // GitHub's deployment statuses, signed with its secret.
                let day = Self.hourAgo("yyyy-MM-dd"), hour = Self.hourAgo("HH")
                let github = [("2024-05-01T10:", "\(day)T\(hour):")]
                for (name, delivery) in [("github-deployment-status-in-progress.json", "gh-1"), ("github-deployment-status-success.json", "gh-2")] {
                    let payload = try fixture(name, replacing: github)
                    let answer = try await HTTP.post(serve.base + "/v1/webhooks/github", body: payload, headers: [
                        ("X-Hub-Signature-256", WebhookSignature.auditSignature(body: payload, secret: Self.githubSecret)),
                        ("X-GitHub-Event", "deployment_status"), ("X-GitHub-Delivery", delivery),
                    ])
                    #expect(answer.status == 200, "\(answer.body)")
                }
                // GitLab's deployment hooks, with its token.
                let gitlab = [("2021-04-28 21:50:00 +0200", "\(day) \(hour):50:00 +0000"), ("2021-04-28 19:54:30 UTC", "\(day) \(hour):54:30 UTC")]
                for (name, key) in [("gitlab-deployment-running.json", "gl-1"), ("gitlab-deployment-success.json", "gl-2")] {
                    let payload = try fixture(name, replacing: gitlab)
                    let answer = try await HTTP.post(serve.base + "/v1/webhooks/gitlab", body: payload, headers: [
                        ("X-Gitlab-Token", Self.gitlabToken), ("X-Gitlab-Event", "Deployment Hook"), ("Idempotency-Key", key),
                    ])
                    #expect(answer.status == 200, "\(answer.body)")
                }

                // `audit deploy --collector` from a CI runner, signed with the shared secret.
                try await TestEngine.run([TestEngine.auditBinary, "deploy", "--collector", serve.base, "--webhook-secret-file", dir + "/webhook.secret",
                                          "--id", "serve-cli", "--project", "shop", "--", "true"])

                stored = try await rows(pg)
                #expect(stored.map { $0.split(separator: "|", omittingEmptySubsequences: false).prefix(4).joined(separator: "|") } == [
                    "github-deployment-1234567890|success|github|prod-docker-1",
                    "gitlab-deployment-15|success|gitlab|",
                    "serve-1|success|webhook|web-1",
                    "serve-cli|success|cli|",
                ], "\(stored)")

                let metrics = try await HTTP.get(serve.base + "/metrics")
                let lines = Set(metrics.body.split(separator: "\n").map(String.init))
                for expected in [
                    "audit_deployment_store_connected 1",
                    #"audit_deployments_received_total{source="webhook"} 2"#,
                    #"audit_deployments_received_total{source="github"} 2"#,
                    #"audit_deployments_received_total{source="gitlab"} 2"#,
                    #"audit_deployments_received_total{source="cli"} 2"#,
                    #"audit_webhook_rejections_total{reason="missing_signature"} 1"#,
                    #"audit_webhook_rejections_total{reason="too_large"} 1"#,
                    #"audit_webhook_rejections_total{reason="store_unavailable"} 0"#,
                ] {
                    #expect(lines.contains(expected), "missing \(expected) in \(metrics.body)")
                }
                #expect(!metrics.body.contains("audit_events_stored_total"), "no collector runs here: no collector figures")
                #expect(try await serve.stop() == 0)
                #expect(!serve.log.contains(TestPostgres.password))
            }
        }
    }

    @Test func postsAreAnswered503WhilePostgreSQLIsAwayAndStoredOnceItIsBack() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                // Down at start: said with the masked URL, and the listener serves anyway.
                try await pg.stop()
                let serve = try ServeProcess(db: pg.url, logPath: dir + "/serve.log", arguments: try secretArguments(dir))
                try await serve.waitUntilListening()
                try await eventually("the unreachable server logged") { serve.log.contains("cannot reach PostgreSQL at \(pg.maskedURL)") }
                #expect(!serve.log.contains("local store"), "\(serve.log)")
                let down = try await HTTP.get(serve.base + "/healthz")
                #expect(down.status == 503)
                #expect(down.body == #"{"status":"disconnected","connected":false}"#)
                let startedAt = Self.rfc3339(secondsAgo: 30)
                func record(_ id: String) -> String { #"{"id":"\#(id)","status":"in_progress","started_at":"\#(startedAt)"}"# }
                let refused = try await postRecord(serve.base, record("away-1"), delivery: "away-1")
                #expect(refused.status == 503)
                #expect(refused.headers["retry-after"] == "3")
                #expect(refused.body == #"{"error":"the deployment store is unavailable; nothing was stored, retry in 3 s"}"#)

                // Back: the retry of the same delivery is stored.
                try await pg.start()
                try await eventually("healthy once PostgreSQL is back") { try await HTTP.get(serve.base + "/healthz").status == 200 }
                #expect(try await postRecord(serve.base, record("away-1"), delivery: "away-1").status == 200)
                #expect(serve.log.contains("connected to PostgreSQL again"))

                // Away while serving: the next post finds out, is answered 503, and the process keeps serving.
                try await pg.stop()
                let lost = try await postRecord(serve.base, record("away-2"), delivery: "away-2")
                #expect(lost.status == 503, "\(lost.body)")
                #expect(serve.child.exitStatus() == nil)
                #expect(try await HTTP.get(serve.base + "/healthz").status == 503)
                let metrics = try await HTTP.get(serve.base + "/metrics").body
                #expect(metrics.contains("audit_deployment_store_connected 0"))
                #expect(metrics.contains(#"audit_webhook_rejections_total{reason="store_unavailable"} 2"#), "\(metrics)")
                // A deploy step posting meanwhile waits out the 503s (Retry-After) instead of failing the pipeline.
                let deploy = try ChildProcess([TestEngine.auditBinary, "deploy", "--collector", serve.base, "--webhook-secret-file", dir + "/webhook.secret",
                                               "--id", "away-3", "--", "true"], stdout: dir + "/deploy.log", stderr: dir + "/deploy.log")
                try await Task.sleep(for: .seconds(2))
                try await pg.start()
                try await eventually("posts stored again", timeout: .seconds(15)) {
                    try await postRecord(serve.base, record("away-2"), delivery: "away-2").status == 200
                }
                var deployStatus: Int32?
                try await eventually("the deploy step done", timeout: .seconds(30)) {
                    deployStatus = deploy.exitStatus()
                    return deployStatus != nil
                }
                let deployLog = (try? String(contentsOfFile: dir + "/deploy.log", encoding: .utf8)) ?? ""
                #expect(deployStatus == 0, "\(deployLog)")
                #expect(deployLog.contains("cannot store the record now (503)") && deployLog.contains("trying again in 3 s"), "\(deployLog)")
                #expect(try await rows(pg).map { $0.split(separator: "|").prefix(2).joined(separator: "|") }
                    == ["away-1|in_progress", "away-2|in_progress", "away-3|success"])
                #expect(try await serve.stop() == 0)
                #expect(!serve.log.contains(TestPostgres.password))
            }
        }
    }

    @Test func aWrongPasswordAtStartIsAnErrorNamingTheMaskedURL() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let url = "postgresql://audit:not-the-pw@127.0.0.1:\(pg.port)/audit?sslmode=disable"
                let serve = try ServeProcess(db: url, logPath: dir + "/serve.log", arguments: try secretArguments(dir))
                let status = await serve.child.wait()
                #expect(status == 1)
                #expect(serve.log.contains("audit serve: PostgreSQL at postgresql://audit:***@127.0.0.1:\(pg.port)/audit?sslmode=disable refused user audit"), "\(serve.log)")
                #expect(!serve.log.contains("not-the-pw"))
                #expect(!serve.log.contains("local store"), "\(serve.log)")
            }
        }
    }

    @Test func importStoresACILogsRecordInPostgreSQLOnce() async throws {
        try await TestPostgres.with { pg in
            let log = TestEngine.packageRoot + "/Tests/DeploymentsTests/Fixtures/github-actions-deploy.log"
            let arguments = [TestEngine.auditBinary, "import", "--db", pg.url, "--format", "github-actions", "--host", "web-2", log]
            let first = try await TestEngine.run(arguments)
            // The fixture's job failed after its deployment commands ran.
            #expect(first.hasPrefix("recorded log-import-") && first.contains(": failure "), "\(first)")
            let again = try await TestEngine.run(arguments)
            #expect(again.hasPrefix("already recorded log-import-"), "\(again)")
            let stored = try await rows(pg)
            #expect(stored.count == 1)
            #expect(stored.first?.contains("|failure|log-import|web-2|") == true, "\(stored)")
            #expect(try await pg.psql("SELECT count(*) FROM webhook_deliveries") == "0")
        }
    }

    /// A start and its finish posted at the same moment, through two connections (two `audit serve`
    /// behind one address): each id ends as one record holding the finish, whichever committed first.
    @Test func aStartAndItsFinishPostedAtOnceAreMergedNotOverwritten() async throws {
        try await TestPostgres.with { pg in
            let url = try FleetURL.parse(pg.url, environment: [:])
            let logger = Logger(label: "test")
            let first = try await FleetConnection.connect(url, logger: logger)
            let second = try await FleetConnection.connect(url, logger: logger)
            // One transaction at a time on each connection, as `audit serve` holds its connection (its
            // SerialGate): the race is between the two connections. Without it two tasks' transactions
            // interleave on one session, and the two sessions can deadlock on each other's locks.
            let (firstGate, secondGate) = (SerialGate(), SerialGate())
            do {
                try await first.migrate()
                let now = Timestamp.now()
                let ids = (0..<40).map { "race-\($0)" }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for id in ids {
                        let start = DeploymentRecord(id: id, source: .webhook, status: .inProgress, startedAt: now.adding(nanoseconds: -60_000_000_000))
                        var finish = start
                        finish.status = .success
                        finish.finishedAt = now
                        for (connection, gate, record, delivery) in [(first, firstGate, start, "\(id):start"), (second, secondGate, finish, "\(id):finish")] {
                            group.addTask {
                                let outcome = try await gate.withHold {
                                    try await connection.storeDeployment(record, deliveryID: delivery, bodyDigest: delivery, bounds: DeploymentBounds(),
                                                                         nowNs: now.nanoseconds)
                                }
                                guard case .stored = outcome else { throw Unexpected(outcome: "\(outcome)") }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            } catch {
                await first.close()
                await second.close()
                throw error
            }
            await first.close()
            await second.close()
            let statuses = try await pg.psql("SELECT status, count(*) FROM deployments GROUP BY status")
            #expect(statuses == "success|40")
        }
    }

    struct Unexpected: Error { let outcome: String }
}
