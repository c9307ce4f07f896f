import Hummingbird
import HummingbirdTesting
import Testing
import Webhook

/// `GET /healthz` and `GET /metrics`.
@Suite struct HealthAndMetricsTests {
    @Test func healthzIsOKWhileConnected() async throws {
        try await WebhookServer.run(health: .connected) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"ok","connected":true,"last_event_age_seconds":12.5}"#)
        }
    }

    @Test func healthzIsUnavailableWhileDisconnected() async throws {
        try await WebhookServer.run(health: .disconnected) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.text == #"{"status":"disconnected","connected":false,"last_event_age_seconds":null}"#)
        }
    }

    @Test func metricsCountCollectorStateDeploymentsAndRejections() async throws {
        let start = Array(#"{"id":"deploy-42","status":"in_progress","started_at":"2024-05-01T10:00:00Z"}"#.utf8)
        try await WebhookServer.run(maxBodyBytes: 128) { client in
            _ = try await client.post("/v1/deployments", start)
            _ = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start, secret: "guess"))
            _ = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start, secret: "guess"))
            _ = try await client.post("/v1/deployments", start, contentType: "text/plain")
            let big = Array(repeating: UInt8(0x20), count: 200)
            _ = try await client.post("/v1/deployments", big, headers: WebhookServer.signed(big))
            let old = WebhookServer.now.adding(nanoseconds: -3_600_000_000_000)
            _ = try await client.post("/v1/deployments", start, headers: WebhookServer.standardHeaders(start, id: "m", timestamp: old))
            let stored = try await client.post("/v1/deployments", start, headers: WebhookServer.signed(start))
            #expect(stored.status == .ok)

            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let lines = Set(response.text.split(separator: "\n").map(String.init))
            for expected in [
                "# HELP audit_events_stored_total Docker events stored by the collector.",
                "# TYPE audit_events_stored_total counter",
                "audit_events_stored_total 1042",
                "audit_events_quarantined_total 3",
                "audit_reconnects_total 2",
                "audit_coverage_gaps_total 1",
                "# TYPE audit_events_dropped_total counter",
                "audit_events_dropped_total 17",
                "# TYPE audit_store_full gauge",
                "audit_store_full 1",
                "# TYPE audit_seconds_since_last_event gauge",
                "audit_seconds_since_last_event 12.5",
                "# TYPE audit_deployments_received_total counter",
                #"audit_deployments_received_total{source="webhook"} 1"#,
                #"audit_deployments_received_total{source="github"} 0"#,
                "# TYPE audit_webhook_rejections_total counter",
                #"audit_webhook_rejections_total{reason="missing_signature"} 1"#,
                #"audit_webhook_rejections_total{reason="bad_signature"} 2"#,
                #"audit_webhook_rejections_total{reason="unsupported_media_type"} 1"#,
                #"audit_webhook_rejections_total{reason="too_large"} 1"#,
                #"audit_webhook_rejections_total{reason="stale_timestamp"} 1"#,
                #"audit_webhook_rejections_total{reason="malformed_json"} 0"#,
                #"audit_webhook_rejections_total{reason="source_conflict"} 0"#,
            ] {
                #expect(lines.contains(expected), "missing line: \(expected)")
            }
        }
    }

    @Test func metricsOmitTheAgeBeforeTheFirstEvent() async throws {
        try await WebhookServer.run(health: .disconnected) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(!response.text.contains("audit_seconds_since_last_event"))
            #expect(response.text.contains("audit_reconnects_total 7\n"))
        }
    }
}
