import AuditStore
import Foundation
import Testing

/// `audit collect --listen` as CI would reach it: real HTTP requests to the running collector, and
/// `audit deploy --collector` from "another machine".
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct WebhookEndToEndTests {
    func curl(_ arguments: [String]) async throws -> (status: Int, body: String) {
        let out = try await TestEngine.run(["curl", "-s", "-o", "/dev/stdout", "-w", "\n%{http_code}"] + arguments)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test func signedRecordsAreStoredAndEveryRejectedRequestStoresNothing() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let secret = "s3cr3t-\(UInt32.random(in: 0...UInt32.max))"
            try secret.write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
            let port = Int.random(in: 20_000...40_000)
            let child = try ChildProcess([TestEngine.auditBinary, "collect", "--db", db, "--docker-host", host, "--listen", "\(port)",
                                          "--webhook-secret-file", dir + "/secret", "--accept-bare-hmac"], stdout: dir + "/collect.log", stderr: dir + "/collect.log")
            defer { child.signal(SIGKILL); _ = child.waitBlocking() }
            let base = "http://127.0.0.1:\(port)"
            try await eventually("webhook answering") { (try? TestEngine.runBlockingStatus(["curl", "-sf", base + "/healthz"])) == 0 }

            // A start a minute ago: the collector refuses record times more than 7 days before its clock.
            let startedAt = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
            let body = #"{"id":"e2e-1","status":"in_progress","started_at":"\#(startedAt)","project":"shop","services":["api"]}"#
            let signature = "sha256=" + (try await TestEngine.run(["sh", "-c", "printf '%s' '\(body)' | openssl dgst -sha256 -hmac '\(secret)' | sed 's/.*= //'"]))
            let json = ["-H", "Content-Type: application/json"]

            // Rejected: unsigned, wrongly signed, malformed, wrong type, oversized — nothing stored.
            #expect(try await curl(["-X", "POST", base + "/v1/deployments"] + json + ["-d", body]).status == 401)
            #expect(try await curl(["-X", "POST", base + "/v1/deployments"] + json + ["-H", "X-Audit-Signature-256: sha256=00", "-d", body]).status == 401)
            let broken = "{\"id\":"
            let brokenSignature = "sha256=" + (try await TestEngine.run(["sh", "-c", "printf '%s' '\(broken)' | openssl dgst -sha256 -hmac '\(secret)' | sed 's/.*= //'"]))
            let malformed = try await curl(["-X", "POST", base + "/v1/deployments"] + json + ["-H", "X-Audit-Signature-256: \(brokenSignature)", "-d", broken])
            #expect(malformed.status == 400)
            #expect(malformed.body.contains("error"))
            #expect(try await curl(["-X", "POST", base + "/v1/deployments", "-H", "Content-Type: text/plain", "-H", "X-Audit-Signature-256: \(signature)", "-d", body]).status == 415)
            try String(repeating: "x", count: 2 << 20).write(toFile: dir + "/big", atomically: true, encoding: .utf8)
            #expect(try await curl(["-X", "POST", base + "/v1/deployments"] + json + ["-H", "X-Audit-Signature-256: sha256=00", "--data-binary", "@" + dir + "/big"]).status == 413)
            #expect(try StoreReader(path: db).deployments(fromNs: 0, toNs: .max).isEmpty)

            // Accepted (with --accept-bare-hmac), then `audit deploy --collector` signs with Standard Webhooks.
            let stored = try await curl(["-X", "POST", base + "/v1/deployments"] + json + ["-H", "X-Audit-Signature-256: \(signature)", "-d", body])
            #expect((200..<300).contains(stored.status), "\(stored.body)")
            try "\(secret)\n".write(toFile: dir + "/secret-file", atomically: true, encoding: .utf8)
            try await TestEngine.run([TestEngine.auditBinary, "deploy", "--collector", base, "--webhook-secret-file", dir + "/secret-file",
                                      "--id", "e2e-2", "--project", "shop", "--", "true"])
            let records = try StoreReader(path: db).deployments(fromNs: 0, toNs: .max)
            #expect(Set(records.map(\.id)) == ["e2e-1", "e2e-2"])
            #expect(records.first { $0.id == "e2e-2" }?.status == .success)

            let metrics = try await curl([base + "/metrics"])
            #expect(metrics.body.contains("audit_webhook_rejections_total"))
            #expect(metrics.body.contains("reason=\"bad_signature\""))
            child.signal(SIGTERM)
            #expect(await child.wait() == 0)
        }
    }

    @Test func sigtermWithAStalledClientExitsWithinSeconds() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            try "s3cr3t\n".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
            let port = Int.random(in: 20_000...40_000)
            let child = try ChildProcess([TestEngine.auditBinary, "collect", "--db", dir + "/audit.db", "--docker-host", host, "--listen", "\(port)",
                                          "--webhook-secret-file", dir + "/secret"], stdout: dir + "/collect.log", stderr: dir + "/collect.log")
            defer { child.signal(SIGKILL); _ = child.waitBlocking() }
            try await eventually("webhook answering") { (try? TestEngine.runBlockingStatus(["curl", "-sf", "http://127.0.0.1:\(port)/healthz"])) == 0 }
            // A client that sends its headers and a piece of its body, then nothing.
            let stalled = try ChildProcess(["sh", "-c", "{ printf 'POST /v1/deployments HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\n"
                + "webhook-id: a\\r\\nwebhook-timestamp: 1\\r\\nwebhook-signature: v1,AA\\r\\nContent-Length: 900000\\r\\n\\r\\n{'; sleep 60; } | socat - TCP:127.0.0.1:\(port)"],
                stdout: "/dev/null", stderr: "/dev/null")
            defer { stalled.signal(SIGKILL); _ = stalled.waitBlocking() }
            try await Task.sleep(for: .milliseconds(500))
            let signalled = ContinuousClock.now
            child.signal(SIGTERM)
            #expect(await child.wait() == 0)
            let took = ContinuousClock.now - signalled
            #expect(took < .seconds(10), "shutdown took \(took)")
        }
    }
}

extension TestEngine {
    /// Exit status of a short command, blocking (for polling inside `eventually`).
    static func runBlockingStatus(_ arguments: [String]) throws -> Int32 {
        try ChildProcess(arguments, stdout: "/dev/null", stderr: "/dev/null").waitBlocking()
    }
}
