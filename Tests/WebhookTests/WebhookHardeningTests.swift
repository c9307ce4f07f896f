import AuditSupport
import Deployments
import Hummingbird
import HummingbirdTesting
import Testing
import Webhook

/// What an attacker on loopback tried against the listener, each answered with a refusal instead of
/// a crash, a stall or a record bent after the fact.
@Suite struct WebhookHardeningTests {
    let start = Array(#"{"id":"deploy-7","project":"shop","status":"in_progress","started_at":"2024-05-01T09:58:00Z"}"#.utf8)
    let finish = Array(#"{"id":"deploy-7","status":"success","started_at":"2024-05-01T09:58:00Z","finished_at":"2024-05-01T09:59:00Z"}"#.utf8)

    @Test func hostileStandardWebhooksTimestampsAreRefusedNotACrash() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            for timestamp in ["-9223372036854775808", "9223372036854775807", "99999999999999999999", "+1714557600", " 1714557600", ""] {
                let response = try await client.post("/v1/deployments", Array("{}".utf8), headers: [
                    "webhook-id": "x", "webhook-timestamp": timestamp, "webhook-signature": "v1,AAAA",
                ])
                #expect(response.status == .unauthorized, "\(timestamp)")
            }
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func theBareBodyHMACIsRefusedUnlessAskedFor() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let bare = try await client.post("/v1/deployments", start, headers: WebhookServer.auditHeaders(start))
            #expect(bare.status == .unauthorized)
            #expect(bare.text.contains("X-Audit-Signature-256 alone can be replayed"))
        }
        #expect(await sink.calls.isEmpty)
        try await WebhookServer.run(acceptBareHMAC: true, sink: sink) { client in
            let bare = try await client.post("/v1/deployments", start, headers: WebhookServer.auditHeaders(start))
            #expect(bare.status == .ok)
            // Even then a captured request replays nothing: its body was seen.
            let replay = try await client.post("/v1/deployments", start, headers: WebhookServer.auditHeaders(start))
            #expect(replay.text == #"{"status":"duplicate delivery"}"#)
        }
        #expect(await sink.records.count == 1)
    }

    @Test func aFinalRecordIsCompletedNeverWidened() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            #expect(try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start)).status == .ok)
            #expect(try await client.post("/v1/deployments", finish, headers: WebhookServer.signed(finish)).status == .ok)

            let later = Array(#"{"id":"deploy-7","status":"success","started_at":"2024-05-01T09:58:00Z","finished_at":"2024-05-01T10:02:00Z"}"#.utf8)
            let widened = try await client.post("/v1/deployments", later, headers: WebhookServer.signed(later))
            #expect(widened.status == .conflict)
            #expect(widened.text.contains(#"already recorded with finished_at 2024-05-01T09:59:00.000000000Z"#))

            let earlier = Array(#"{"id":"deploy-7","status":"success","started_at":"2024-05-01T09:00:00Z","finished_at":"2024-05-01T09:59:00Z"}"#.utf8)
            #expect(try await client.post("/v1/deployments", earlier, headers: WebhookServer.signed(earlier)).status == .conflict)

            let otherProject = Array(#"{"id":"deploy-7","project":"billing","status":"success","started_at":"2024-05-01T09:58:00Z","finished_at":"2024-05-01T09:59:00Z"}"#.utf8)
            let moved = try await client.post("/v1/deployments", otherProject, headers: WebhookServer.signed(otherProject))
            #expect(moved.status == .conflict)
            #expect(moved.text.contains("project"))

            // Narrowing is allowed: the finish moves earlier, a missing field is filled.
            let narrower = Array(#"{"id":"deploy-7","commit":"abc123","status":"success","started_at":"2024-05-01T09:58:00Z","finished_at":"2024-05-01T09:58:30Z"}"#.utf8)
            #expect(try await client.post("/v1/deployments", narrower, headers: WebhookServer.signed(narrower)).status == .ok)
        }
        let record = try #require(await sink.records["deploy-7"])
        #expect(record.project == "shop")
        #expect(record.commit == "abc123")
        #expect(record.finishedAt == RFC3339.parse("2024-05-01T09:58:30Z"))
    }

    @Test func windowsInTheFarFutureOrTooLongAreRefused() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let future = Array(#"{"id":"deploy-8","status":"success","started_at":"2024-05-01T09:58:00Z","finished_at":"2261-12-31T00:00:00Z"}"#.utf8)
            let response = try await client.post("/v1/deployments", future, headers: WebhookServer.signed(future))
            #expect(response.status == .badRequest)
            #expect(response.text.contains("invalid field finished_at: 2261-12-31T00:00:00.000000000Z lies more than 5m00s after this collector's clock"))

            let long = Array(#"{"id":"deploy-9","status":"success","started_at":"2024-04-28T09:58:00Z","finished_at":"2024-05-01T09:59:00Z"}"#.utf8)
            let tooLong = try await client.post("/v1/deployments", long, headers: WebhookServer.signed(long))
            #expect(tooLong.status == .badRequest)
            #expect(tooLong.text.contains("lasts longer than 6h00m"))
        }
        #expect(await sink.records.isEmpty)
    }

    @Test func theRouteDecidesTheSource() async throws {
        let github = DeploymentRecord(id: "github-deployment-42", source: .github, status: .inProgress, startedAt: RFC3339.parse("2024-05-01T09:58:00Z")!)
        let sink = RecordingSink(preloaded: [github])
        try await WebhookServer.run(sink: sink) { client in
            let claim = Array(#"{"id":"github-deployment-42","source":"github","status":"success","started_at":"2024-05-01T09:58:00Z","finished_at":"2024-05-01T09:59:00Z"}"#.utf8)
            let response = try await client.post("/v1/deployments", claim, headers: WebhookServer.signed(claim))
            #expect(response.status == .badRequest)
            #expect(response.text.contains(#"invalid field source: \"github\" records arrive on their own route"#))

            let unclaimed = Array(#"{"id":"github-deployment-42","status":"success","started_at":"2024-05-01T09:58:00Z","finished_at":"2024-05-01T09:59:00Z"}"#.utf8)
            let squatted = try await client.post("/v1/deployments", unclaimed, headers: WebhookServer.signed(unclaimed))
            #expect(squatted.status == .badRequest)
            #expect(squatted.text.contains("ids starting with github- belong to that provider's route"))
        }
        #expect(await sink.records["github-deployment-42"] == github)
    }

    @Test func eachRouteHasItsOwnSecret() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            // GitLab's token travels in clear text: it must not sign the other routes.
            let withToken = try await client.post("/v1/deployments", start,
                headers: WebhookServer.standardHeaders(start, id: "m1", secret: WebhookServer.gitlabToken))
            #expect(withToken.status == .unauthorized)
            #expect(withToken.text == #"{"error":"signature mismatch"}"#)
            let tokenHeader = try await client.post("/v1/deployments", start, headers: ["X-Gitlab-Token": WebhookServer.gitlabToken])
            #expect(tokenHeader.status == .unauthorized)
        }
        #expect(await sink.calls.isEmpty)

        try await WebhookServer.run(secrets: RouteSecrets(deployments: Array(WebhookServer.secret.utf8)), sink: sink) { client in
            let gitlab = try await client.post("/v1/webhooks/gitlab", start, headers: ["X-Gitlab-Token": WebhookServer.secret])
            #expect(gitlab.status == .notFound)
            #expect(gitlab.text == #"{"error":"/v1/webhooks/gitlab is not enabled on this collector: start it with --gitlab-token-file PATH"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func aDeliveryIDWithAnotherBodyIsAConflictAndAReplayedBodyADuplicate() async throws {
        let sink = RecordingSink()
        let inProgress = try Fixture.bytes("github-deployment-status-in-progress.json")
        let success = try Fixture.bytes("github-deployment-status-success.json")
        try await WebhookServer.run(sink: sink) { client in
            #expect(try await client.post("/v1/deployments", start, headers: WebhookServer.standardHeaders(start, id: "msg_1")).status == .ok)
            let reused = try await client.post("/v1/deployments", finish, headers: WebhookServer.standardHeaders(finish, id: "msg_1"))
            #expect(reused.status == .conflict)
            #expect(reused.text.contains(#"delivery id \"webhook:msg_1\" was already used for a different body"#))

            #expect(try await client.post("/v1/webhooks/github", inProgress,
                headers: WebhookServer.githubHeaders(inProgress, event: "deployment_status", delivery: "d-1")).status == .ok)
            // GitHub signs the body alone: the same body under a new delivery id is a replay.
            let replayed = try await client.post("/v1/webhooks/github", inProgress,
                headers: WebhookServer.githubHeaders(inProgress, event: "deployment_status", delivery: "d-99"))
            #expect(replayed.text == #"{"status":"duplicate delivery"}"#)
            #expect(try await client.post("/v1/webhooks/github", success,
                headers: WebhookServer.githubHeaders(success, event: "deployment_status", delivery: "d-2")).status == .ok)
        }
        #expect(await sink.records["deploy-7"]?.status == .inProgress)
        #expect(await sink.records["github-deployment-1234567890"]?.status == .success)
    }

    @Test func invalidUTF8IsRefused() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let body = Array(#"{"id":"deploy-"#.utf8) + [0xFF, 0xFE] + Array(#"","status":"in_progress","started_at":"2024-05-01T09:58:00Z"}"#.utf8)
            let response = try await client.post("/v1/deployments", body, headers: WebhookServer.signed(body))
            #expect(response.status == .badRequest)
            #expect(response.text == #"{"error":"malformed JSON: the body is not valid UTF-8"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func anUnsignedRequestIsRefusedBeforeItsBodyIsRead() async throws {
        try await WebhookServer.run { client in
            let raw = try RawConnection(port: try #require(client.port))
            // A body announced and never sent: answering at all proves it was not waited for.
            raw.send("POST /v1/deployments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500000\r\n\r\n")
            let answer = await raw.receive(seconds: 3)
            #expect(answer.text.hasPrefix("HTTP/1.1 401"))
            #expect(answer.closed)
        }
    }

    @Test func aStalledBodyGets408WithinTheDeadline() async throws {
        let limits = WebhookLimits(requestDeadline: .milliseconds(500))
        let sink = RecordingSink()
        try await WebhookServer.run(limits: limits, sink: sink) { client in
            let raw = try RawConnection(port: try #require(client.port))
            let headers = WebhookServer.signed(start).map { "\($0.key): \($0.value)\r\n" }.joined()
            raw.send("POST /v1/deployments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\(headers)Content-Length: \(start.count)\r\n\r\n")
            raw.send(Array(start.prefix(10)))
            let answer = await raw.receive(seconds: 3)
            #expect(answer.text.hasPrefix("HTTP/1.1 408"))
            #expect(answer.closed)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func anIdleConnectionIsClosed() async throws {
        try await WebhookServer.run(limits: WebhookLimits(idleTimeout: .milliseconds(500))) { client in
            let raw = try RawConnection(port: try #require(client.port))
            let answer = await raw.receive(seconds: 3)
            #expect(answer.closed)
            #expect(answer.text.isEmpty)
        }
    }

    @Test func silentConnectionsMakeRoomAndBusyOnesGet503() async throws {
        try await WebhookServer.runInServiceGroup(limits: WebhookLimits(maxConnections: 3)) { port in
            // Three sockets that say nothing: a new connection closes the oldest of them.
            let silent = try (0..<3).map { _ in try RawConnection(port: port) }
            try await Task.sleep(for: .milliseconds(300))
            let health = try RawConnection(port: port)
            health.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await health.receive(seconds: 1).text.hasPrefix("HTTP/1.1 200"))
            // Which silent one goes depends on the order their event loops registered them.
            var closedSilent = 0
            for connection in silent where await connection.receive(seconds: 0.5).closed { closedSilent += 1 }
            #expect(closedSilent >= 1)

            // Three requests in the middle of their bodies are never closed to make room.
            let headers = WebhookServer.signed(start).map { "\($0.key): \($0.value)\r\n" }.joined()
            let busy = try (0..<3).map { _ in try RawConnection(port: port) }
            for connection in busy {
                connection.send("POST /v1/deployments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\(headers)Content-Length: 500\r\n\r\n{")
            }
            try await Task.sleep(for: .milliseconds(300))
            let extra = try RawConnection(port: port)
            extra.send("POST /v1/deployments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
            let answer = await extra.receive(seconds: 3)
            #expect(answer.text.hasPrefix("HTTP/1.1 503"))
            #expect(answer.text.contains("too many open connections (limit 3)"))
            #expect(answer.closed)
            withExtendedLifetime((silent, health, busy)) {}
        }
    }

    @Test func bodiesInFlightShareOneBudget() async throws {
        let limits = WebhookLimits(maxBodyBytes: 4096, bodyBudgetBytes: 4096)
        try await WebhookServer.run(limits: limits) { client in
            let port = try #require(client.port)
            let holder = try RawConnection(port: port)
            let headers = WebhookServer.signed(start).map { "\($0.key): \($0.value)\r\n" }.joined()
            // The budget counts bytes held, not announced: this one holds 4,000 and stalls.
            holder.send("POST /v1/deployments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\(headers)Content-Length: 4090\r\n\r\n{" + String(repeating: " ", count: 3999))
            _ = await holder.receive(seconds: 0.3)
            let response = try await client.post("/v1/deployments", finish, headers: WebhookServer.signed(finish))
            #expect(response.status == .serviceUnavailable)
            #expect(response.text == #"{"error":"too many request bodies in flight; retry shortly"}"#)
        }
    }

    @Test func brokenChunkedFramingIs400AndCounted() async throws {
        try await WebhookServer.run { client in
            let raw = try RawConnection(port: try #require(client.port))
            let headers = WebhookServer.signed(start).map { "\($0.key): \($0.value)\r\n" }.joined()
            raw.send("POST /v1/deployments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\(headers)Transfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n")
            let answer = await raw.receive(seconds: 3)
            #expect(answer.text.hasPrefix("HTTP/1.1 400"))
            // A broken head never reaches a route; it is counted all the same.
            let head = try RawConnection(port: try #require(client.port))
            head.send("POST /v1/deployments HTTP/1.1\r\nHost: x\r\nbroken header line\r\n\r\n")
            #expect(await head.receive(seconds: 3).text.hasPrefix("HTTP/1.1 400"))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.text.contains(#"audit_webhook_rejections_total{reason="malformed_request"} 2"#))
        }
    }

    @Test func reviewedAttacksAreRefused() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            // Thousands of `v1,` entries would each have cost an HMAC over the body.
            var flood = WebhookServer.signed(start)
            flood["webhook-signature"] = Array(repeating: "v1,", count: 9).joined(separator: " ")
            let many = try await client.post("/v1/deployments", start, headers: flood)
            #expect(many.status == .unauthorized)
            #expect(many.text.contains("at most 8"))

            // Centuries-old times would overflow the report's arithmetic; too old is refused.
            let ancient = Array(#"{"id":"old","status":"success","started_at":"1678-01-01T00:00:00Z","finished_at":"1678-01-01T00:00:00Z"}"#.utf8)
            let old = try await client.post("/v1/deployments", ancient, headers: WebhookServer.signed(ancient))
            #expect(old.status == .badRequest)
            #expect(old.text.contains("lies more than 7d00h before this collector's clock"))

            // A step outside the record's window would cover what the record does not.
            let stepped = Array(#"{"id":"s1","status":"success","started_at":"2024-05-01T09:58:00Z","finished_at":"2024-05-01T09:59:00Z","steps":[{"command":"./deploy.sh","started_at":"2024-05-01T09:00:00Z","finished_at":"2024-05-01T09:59:00Z"}]}"#.utf8)
            let outside = try await client.post("/v1/deployments", stepped, headers: WebhookServer.signed(stepped))
            #expect(outside.status == .badRequest)
            #expect(outside.text.contains("runs outside the deployment's own window"))

            // GitHub's and GitLab's ids cannot be squatted from the generic route.
            let squat = Array(#"{"id":"github-deployment-12345","status":"in_progress","started_at":"2024-05-01T09:58:00Z"}"#.utf8)
            let squatted = try await client.post("/v1/deployments", squat, headers: WebhookServer.signed(squat))
            #expect(squatted.status == .badRequest)
            #expect(squatted.text.contains("ids starting with github- belong to that provider's route"))
        }
        #expect(await sink.records.isEmpty)
    }
}
