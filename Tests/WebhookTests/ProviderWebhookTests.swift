import AuditSupport
import Deployments
import Hummingbird
import HummingbirdTesting
import Testing
import Webhook

/// `POST /v1/webhooks/github` and `/v1/webhooks/gitlab` with the providers' own payloads.
@Suite struct ProviderWebhookTests {
    @Test func githubDeploymentStatusesOpenThenCloseOneRecord() async throws {
        let sink = RecordingSink()
        let inProgress = try Fixture.bytes("github-deployment-status-in-progress.json")
        let success = try Fixture.bytes("github-deployment-status-success.json")
        try await WebhookServer.run(sink: sink) { client in
            let opened = try await client.post("/v1/webhooks/github", inProgress,
                headers: WebhookServer.githubHeaders(inProgress, event: "deployment_status", delivery: "d-1"))
            #expect(opened.status == .ok)
            #expect(opened.text == #"{"status":"stored","id":"github-deployment-1234567890","deployment_status":"in_progress"}"#)

            let closed = try await client.post("/v1/webhooks/github", success,
                headers: WebhookServer.githubHeaders(success, event: "deployment_status", delivery: "d-2"))
            #expect(closed.text == #"{"status":"stored","id":"github-deployment-1234567890","deployment_status":"success"}"#)

            // GitHub's "redeliver" button resends the same X-GitHub-Delivery.
            let redelivered = try await client.post("/v1/webhooks/github", success,
                headers: WebhookServer.githubHeaders(success, event: "deployment_status", delivery: "d-2"))
            #expect(redelivered.status == .ok)
            #expect(redelivered.text == #"{"status":"duplicate delivery"}"#)
        }
        let record = try #require(await sink.records["github-deployment-1234567890"])
        #expect(await sink.records.count == 1)
        #expect(record.source == .github)
        #expect(record.status == .success)
        #expect(record.host == "prod-docker-1")
        #expect(record.startedAt == RFC3339.parse("2024-05-01T10:00:01Z"))
        #expect(record.finishedAt == RFC3339.parse("2024-05-01T10:04:42Z"))
        #expect(await sink.calls.map(\.deliveryID) == ["github:d-1", "github:d-2", "github:d-2"])
    }

    @Test func githubEventsWithoutADeploymentAreIgnored() async throws {
        let sink = RecordingSink()
        let push = try Fixture.bytes("github-push.json")
        try await WebhookServer.run(sink: sink) { client in
            let response = try await client.post("/v1/webhooks/github", push,
                headers: WebhookServer.githubHeaders(push, event: "push", delivery: "d-3"))
            #expect(response.status == .accepted)
            #expect(response.text == #"{"status":"ignored: push"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func githubRequiresItsSignatureAndEvent() async throws {
        let sink = RecordingSink()
        let success = try Fixture.bytes("github-deployment-status-success.json")
        try await WebhookServer.run(sink: sink) { client in
            // The auditor's own header is not GitHub's: each route accepts its sender's scheme only.
            let ownHeader = try await client.post("/v1/webhooks/github", success,
                headers: WebhookServer.auditHeaders(success).merging(["X-GitHub-Event": "deployment_status"]) { $1 })
            #expect(ownHeader.status == .unauthorized)
            #expect(ownHeader.text == #"{"error":"missing signature header X-Hub-Signature-256"}"#)

            var forged = WebhookServer.githubHeaders(success, event: "deployment_status", delivery: "d-4")
            forged["X-Hub-Signature-256"] = WebhookSignature.auditSignature(body: success, secret: "guess")
            let wrong = try await client.post("/v1/webhooks/github", success, headers: forged)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text == #"{"error":"signature mismatch"}"#)

            var noEvent = WebhookServer.githubHeaders(success, event: "", delivery: "d-5")
            noEvent["X-GitHub-Event"] = nil
            let missing = try await client.post("/v1/webhooks/github", success, headers: noEvent)
            #expect(missing.status == .badRequest)
            #expect(missing.text == #"{"error":"missing field: X-GitHub-Event header"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func gitlabRunningThenSuccessMergeAndRetriesAreDuplicates() async throws {
        let sink = RecordingSink()
        let running = try Fixture.bytes("gitlab-deployment-running.json")
        let success = try Fixture.bytes("gitlab-deployment-success.json")
        // The fixtures are GitLab's documented payloads of 2021: the collector's clock is set near them.
        try await WebhookServer.run(sink: sink, clock: RFC3339.parse("2021-04-28T20:00:00Z")!) { client in
            let token = ["X-Gitlab-Token": WebhookServer.gitlabToken, "X-Gitlab-Event": "Deployment Hook"]
            let opened = try await client.post("/v1/webhooks/gitlab", running,
                headers: token.merging(["Idempotency-Key": "k-1", "X-Gitlab-Event-UUID": "u-1"]) { $1 })
            #expect(opened.text == #"{"status":"stored","id":"gitlab-deployment-15","deployment_status":"in_progress"}"#)

            // Older GitLab versions send only the event UUID.
            let closed = try await client.post("/v1/webhooks/gitlab", success,
                headers: token.merging(["X-Gitlab-Event-UUID": "u-2"]) { $1 })
            #expect(closed.text == #"{"status":"stored","id":"gitlab-deployment-15","deployment_status":"success"}"#)

            let retried = try await client.post("/v1/webhooks/gitlab", running,
                headers: token.merging(["Idempotency-Key": "k-1", "X-Gitlab-Event-UUID": "u-3"]) { $1 })
            #expect(retried.text == #"{"status":"duplicate delivery"}"#)
        }
        #expect(await sink.calls.map(\.deliveryID) == ["gitlab:k-1", "gitlab:u-2", "gitlab:k-1"])
        let record = try #require(await sink.records["gitlab-deployment-15"])
        #expect(record.status == .success)
        #expect(record.source == .gitlab)
        #expect(record.startedAt == RFC3339.parse("2021-04-28T19:50:00Z"))
    }

    @Test func gitlabBadTokenAndIgnoredKinds() async throws {
        let sink = RecordingSink()
        let running = try Fixture.bytes("gitlab-deployment-running.json")
        try await WebhookServer.run(sink: sink) { client in
            let wrong = try await client.post("/v1/webhooks/gitlab", running, headers: ["X-Gitlab-Token": "s3cr3T"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text == #"{"error":"token mismatch"}"#)

            let missing = try await client.post("/v1/webhooks/gitlab", running)
            #expect(missing.status == .unauthorized)
            #expect(missing.text == #"{"error":"missing signature header X-Gitlab-Token"}"#)

            let pipeline = Array(#"{"object_kind":"pipeline"}"#.utf8)
            let ignored = try await client.post("/v1/webhooks/gitlab", pipeline, headers: ["X-Gitlab-Token": WebhookServer.gitlabToken])
            #expect(ignored.status == .accepted)
            #expect(ignored.text == #"{"status":"ignored: pipeline"}"#)

            let created = Array(#"{"object_kind":"deployment","status":"created"}"#.utf8)
            let notStarted = try await client.post("/v1/webhooks/gitlab", created, headers: ["X-Gitlab-Token": WebhookServer.gitlabToken])
            #expect(notStarted.status == .accepted)
            #expect(notStarted.text == #"{"status":"ignored: deployment status created"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }
}
