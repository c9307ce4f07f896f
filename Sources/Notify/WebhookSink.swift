import AuditSupport
import Deployments
import HTTPTransport

/// `--notify webhook=URL`: posts the notification's JSON as stored, signed with Standard Webhooks
/// (`webhook-id` = the notification's idempotency key, `webhook-timestamp`, `webhook-signature`), the
/// same scheme `/v1/deployments` verifies, so any Standard Webhooks library can check it.
struct WebhookSink: NotificationSink {
    let configuration: SinkConfiguration
    /// `--notify-secret-file`: `whsec_<base64>` or text.
    let secret: String

    func request(for payload: NotificationPayload, body: String, now: Timestamp) -> HTTPRequest {
        let bytes = Array(body.utf8)
        let signature = WebhookSignature.standardWebhooksHeaders(body: bytes, id: payload.id, secret: secret, now: now)
        return HTTPRequest(url: configuration.url, method: .post(body: bytes, contentType: "application/json"),
                           headers: signature.map { (name: $0.0, value: $0.1) } + [(name: "User-Agent", value: NotificationSinks.userAgent)],
                           timeoutSeconds: NotificationSinks.requestTimeoutSeconds)
    }
}
