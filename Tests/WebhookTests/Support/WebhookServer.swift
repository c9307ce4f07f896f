import AuditSupport
import Crypto
import Deployments
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Webhook

/// Runs the real listener on an ephemeral loopback port for the duration of `test`.
enum WebhookServer {
    static let secret = "s3cr3t"
    /// The fixed clock the listener is given, for Standard Webhooks timestamps.
    static let now = Timestamp(seconds: 1_714_557_600)

    static func run(
        secret: String? = WebhookServer.secret,
        insecureNoAuth: Bool = false,
        maxBodyBytes: Int = 1 << 20,
        sink: RecordingSink = RecordingSink(),
        health: FixedHealth = .connected,
        _ test: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let configuration = WebhookConfiguration(
            host: "127.0.0.1", port: 0, secret: secret.map { Array($0.utf8) },
            insecureNoAuth: insecureNoAuth, maxBodyBytes: maxBodyBytes
        )
        try configuration.validate()
        let app = buildWebhookApplication(
            configuration: configuration, sink: sink, health: health,
            logger: Logger(label: "webhook-tests") { _ in SwiftLogNoOpLogHandler() },
            now: { now.nanoseconds }
        )
        try await app.test(.live, test)
    }

    /// `X-Audit-Signature-256` for `body` under the test secret.
    static func auditHeaders(_ body: [UInt8], secret: String = WebhookServer.secret) -> [String: String] {
        ["X-Audit-Signature-256": WebhookSignature.auditSignature(body: body, secret: secret)]
    }

    /// The Standard Webhooks headers for `body`, signed at `timestamp`.
    static func standardHeaders(_ body: [UInt8], id: String, timestamp: Timestamp = now) -> [String: String] {
        let signed = Array("\(id).\(timestamp.seconds).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
        return [
            "webhook-id": id,
            "webhook-timestamp": String(timestamp.seconds),
            "webhook-signature": "v1," + Data(mac).base64EncodedString(),
        ]
    }

    /// `X-Hub-Signature-256` and the GitHub event headers.
    static func githubHeaders(_ body: [UInt8], event: String, delivery: String) -> [String: String] {
        let signature = WebhookSignature.auditSignature(body: body, secret: secret)
        return ["X-Hub-Signature-256": signature, "X-GitHub-Event": event, "X-GitHub-Delivery": delivery]
    }
}

extension TestClientProtocol {
    /// A POST with `Content-Type: application/json` unless `contentType` says otherwise (nil sends none).
    func post(
        _ uri: String, _ body: [UInt8], headers: [String: String] = [:], contentType: String? = "application/json"
    ) async throws -> TestResponse {
        var fields = HTTPFields()
        if let contentType { fields[.contentType] = contentType }
        for (name, value) in headers { fields[HTTPFields.Element.Name(name)!] = value }
        return try await execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(bytes: body))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}
