import AuditSupport
import Deployments
import Hummingbird
import HummingbirdTesting
import Testing
import Webhook

/// `POST /v1/deployments`: the auditor's own wire record over real HTTP.
@Suite struct DeploymentEndpointTests {
    let start = Array(#"{"id":"deploy-42","environment":"production","project":"shop","status":"in_progress","started_at":"2024-05-01T10:00:00Z"}"#.utf8)
    let finish = Array(#"{"id":"deploy-42","status":"success","started_at":"2024-05-01T10:00:00Z","finished_at":"2024-05-01T10:04:00Z"}"#.utf8)

    @Test func signedStartThenFinishMergeIntoOneRecord() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let created = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start))
            #expect(created.status == .ok)
            #expect(created.text == #"{"status":"stored","id":"deploy-42","deployment_status":"in_progress"}"#)
            #expect(created.headers[.contentType] == "application/json; charset=utf-8")

            let finished = try await client.post("/v1/deployments", finish, headers: WebhookServer.signed(finish))
            #expect(finished.status == .ok)
            #expect(finished.text == #"{"status":"stored","id":"deploy-42","deployment_status":"success"}"#)
        }
        let records = await sink.records
        #expect(records.count == 1)
        let record = try #require(records["deploy-42"])
        #expect(record.source == .webhook)
        #expect(record.status == .success)
        #expect(record.environment == "production")
        #expect(record.project == "shop")
        #expect(record.finishedAt == RFC3339.parse("2024-05-01T10:04:00Z"))
        #expect(await sink.calls.count == 2)
    }

    @Test func unsignedIsRefusedAndNothingIsStored() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let response = try await client.post("/v1/deployments", start)
            #expect(response.status == .unauthorized)
            #expect(response.text == #"{"error":"missing signature: send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func wronglySignedIsRefused() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let otherSecret = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start, secret: "guess"))
            #expect(otherSecret.status == .unauthorized)
            #expect(otherSecret.text == #"{"error":"signature mismatch"}"#)

            // A signature over a different body: the bytes posted are what must be signed.
            let otherBody = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(finish))
            #expect(otherBody.status == .unauthorized)

        }
        #expect(await sink.calls.isEmpty)
        try await WebhookServer.run(acceptBareHMAC: true, sink: sink) { client in
            let malformed = try await client.post("/v1/deployments", start, headers: ["X-Audit-Signature-256": "deadbeef"])
            #expect(malformed.status == .unauthorized)
            #expect(malformed.text.contains("malformed signature header X-Audit-Signature-256"))
            let otherSecret = try await client.post("/v1/deployments", start, headers: WebhookServer.auditHeaders(start, secret: "guess"))
            #expect(otherSecret.text == #"{"error":"signature mismatch"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func signatureIsCheckedBeforeTheJSON() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let response = try await client.post("/v1/deployments", Array("{not json".utf8))
            #expect(response.status == .unauthorized)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func standardWebhooksSignatureIsAcceptedAndItsIDKeysTheDelivery() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let headers = WebhookServer.standardHeaders(start, id: "msg_1")
            let response = try await client.post("/v1/deployments", start, headers: headers)
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"stored","id":"deploy-42","deployment_status":"in_progress"}"#)

            // The sender retries the same message: acknowledged, not stored again.
            let replay = try await client.post("/v1/deployments", start, headers: headers)
            #expect(replay.status == .ok)
            #expect(replay.text == #"{"status":"duplicate delivery"}"#)

            // A new message about the same deployment is a real update.
            let next = try await client.post("/v1/deployments", finish, headers: WebhookServer.standardHeaders(finish, id: "msg_2"))
            #expect(next.text == #"{"status":"stored","id":"deploy-42","deployment_status":"success"}"#)
        }
        #expect(await sink.calls.map(\.deliveryID) == ["webhook:msg_1", "webhook:msg_1", "webhook:msg_2"])
        #expect(await sink.records["deploy-42"]?.status == .success)
    }

    @Test func staleStandardWebhooksTimestampIsRefused() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let old = WebhookServer.now.adding(nanoseconds: -301 * 1_000_000_000)
            let response = try await client.post("/v1/deployments", start, headers: WebhookServer.standardHeaders(start, id: "msg_1", timestamp: old))
            #expect(response.status == .unauthorized)
            #expect(response.text == #"{"error":"timestamp outside the 5 minute tolerance"}"#)

            let future = WebhookServer.now.adding(nanoseconds: 301 * 1_000_000_000)
            let ahead = try await client.post("/v1/deployments", start, headers: WebhookServer.standardHeaders(start, id: "msg_2", timestamp: future))
            #expect(ahead.status == .unauthorized)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func oversizedBodyIsRefusedFromItsContentLength() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(maxBodyBytes: 256, sink: sink) { client in
            let note = String(repeating: "x", count: 400)
            let body = Array(#"{"id":"big","status":"in_progress","started_at":"2024-05-01T10:00:00Z","note":"\#(note)"}"#.utf8)
            let response = try await client.post("/v1/deployments", body, headers: WebhookServer.signed(body))
            #expect(response.status == .contentTooLarge)
            #expect(response.text == #"{"error":"body larger than 256 bytes"}"#)
            // The rest of the body is not read: the connection closes.
            #expect(response.headers[.connection] == "close")
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func onlyJSONIsAccepted() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let form = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start), contentType: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)
            #expect(form.text == #"{"error":"unsupported Content-Type \"application/x-www-form-urlencoded\": send application/json"}"#)

            let none = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start), contentType: nil)
            #expect(none.status == .unsupportedMediaType)
            #expect(none.text == #"{"error":"missing Content-Type: send application/json"}"#)
        }
        #expect(await sink.calls.isEmpty)

        try await WebhookServer.run(sink: sink) { client in
            let withCharset = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start), contentType: "Application/JSON; charset=utf-8")
            #expect(withCharset.status == .ok)
        }
        #expect(await sink.calls.count == 1)
    }

    @Test func malformedJSONIsNamed() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let body = Array(#"{"id":"deploy-42","status":}"#.utf8)
            let response = try await client.post("/v1/deployments", body, headers: WebhookServer.signed(body))
            #expect(response.status == .badRequest)
            #expect(response.text.hasPrefix(#"{"error":"malformed JSON: unexpected"#))
            #expect(response.text.contains("at byte 27"))

            let array = Array("[]".utf8)
            let notObject = try await client.post("/v1/deployments", array, headers: WebhookServer.signed(array))
            #expect(notObject.text == #"{"error":"malformed JSON: expected an object, found an array"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func missingAndInvalidFieldsAreNamed() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(sink: sink) { client in
            let noStatus = Array(#"{"id":"deploy-42","started_at":"2024-05-01T10:00:00Z"}"#.utf8)
            let missing = try await client.post("/v1/deployments", noStatus, headers: WebhookServer.signed(noStatus))
            #expect(missing.status == .badRequest)
            #expect(missing.text == #"{"error":"missing field: status"}"#)

            let noFinish = Array(#"{"id":"deploy-42","status":"success","started_at":"2024-05-01T10:00:00Z"}"#.utf8)
            let final = try await client.post("/v1/deployments", noFinish, headers: WebhookServer.signed(noFinish))
            #expect(final.text == #"{"error":"missing field: finished_at (required once status is success)"}"#)

            let badTime = Array(#"{"id":"deploy-42","status":"in_progress","started_at":"yesterday"}"#.utf8)
            let invalid = try await client.post("/v1/deployments", badTime, headers: WebhookServer.signed(badTime))
            #expect(invalid.status == .badRequest)
            #expect(invalid.text == #"{"error":"invalid field started_at: not an RFC 3339 time"}"#)
        }
        #expect(await sink.calls.isEmpty)
    }

    @Test func reusingAnIDFromAnotherSourceIsAConflict() async throws {
        let existing = DeploymentRecord(id: "deploy-42", source: .github, status: .inProgress, startedAt: RFC3339.parse("2024-05-01T10:00:00Z")!)
        let sink = RecordingSink(preloaded: [existing])
        try await WebhookServer.run(sink: sink) { client in
            let response = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start))
            #expect(response.status == .conflict)
            #expect(response.text == #"{"error":"deployment \"deploy-42\" is already recorded from github, not webhook: use another id"}"#)
        }
        #expect(await sink.records["deploy-42"] == existing)
    }

    @Test func insecureNoAuthAcceptsUnsignedOnLoopback() async throws {
        let sink = RecordingSink()
        try await WebhookServer.run(secrets: RouteSecrets(), insecureNoAuth: true, sink: sink) { client in
            let response = try await client.post("/v1/deployments", start)
            #expect(response.status == .ok)
        }
        #expect(await sink.records.count == 1)
    }
}
