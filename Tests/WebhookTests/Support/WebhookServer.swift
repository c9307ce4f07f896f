import AuditSupport
import Crypto
import Deployments
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing
import Webhook

/// Runs the real listener on an ephemeral loopback port for the duration of `test`.
enum WebhookServer {
    /// The secret of `/v1/deployments`; each route has its own.
    static let secret = "s3cr3t"
    static let githubSecret = "gh-s3cr3t"
    static let gitlabToken = "gl-t0ken"
    static let secrets = RouteSecrets(deployments: Array(secret.utf8), github: Array(githubSecret.utf8), gitlab: Array(gitlabToken.utf8))
    /// The fixed clock the listener is given, for Standard Webhooks timestamps.
    static let now = Timestamp(seconds: 1_714_557_600)

    static func run(
        secrets: RouteSecrets = WebhookServer.secrets,
        insecureNoAuth: Bool = false,
        acceptBareHMAC: Bool = false,
        maxBodyBytes: Int = 1 << 20,
        limits: WebhookLimits? = nil,
        sink: any DeploymentSink = RecordingSink(),
        health: FixedHealth = .connected,
        clock: Timestamp = WebhookServer.now,
        _ test: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let configuration = WebhookConfiguration(
            host: "127.0.0.1", port: 0, secrets: secrets, insecureNoAuth: insecureNoAuth, acceptBareHMAC: acceptBareHMAC,
            limits: limits ?? WebhookLimits(maxBodyBytes: maxBodyBytes)
        )
        try configuration.validate()
        let app = buildWebhookApplication(
            configuration: configuration, sink: sink, health: health,
            logger: Logger(label: "webhook-tests") { _ in SwiftLogNoOpLogHandler() },
            now: { clock.nanoseconds }
        )
        try await app.test(.live, test)
    }

    /// Runs the listener as the collector does, in a `ServiceGroup` on a port of its own, and hands
    /// `test` that port. HummingbirdTesting rebuilds the server configuration for its ephemeral port
    /// and drops the connection budget with it, so what depends on the budget is tested this way.
    static func runInServiceGroup(limits: WebhookLimits, _ test: @Sendable (Int) async throws -> Void) async throws {
        let port = try RawConnection.freePort()
        let configuration = WebhookConfiguration(host: "127.0.0.1", port: port, secrets: secrets, limits: limits)
        try configuration.validate()
        let logger = Logger(label: "webhook-tests") { _ in SwiftLogNoOpLogHandler() }
        let app = buildWebhookApplication(configuration: configuration, sink: RecordingSink(), health: FixedHealth.connected,
                                          logger: logger, now: { now.nanoseconds })
        let group = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            for _ in 0..<100 where (try? RawConnection(port: port)) == nil {
                try await Task.sleep(for: .milliseconds(20))
            }
            do {
                try await test(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// `X-Audit-Signature-256` for `body` under the test secret (accepted only with `acceptBareHMAC`).
    static func auditHeaders(_ body: [UInt8], secret: String = WebhookServer.secret) -> [String: String] {
        ["X-Audit-Signature-256": WebhookSignature.auditSignature(body: body, secret: secret)]
    }

    /// Standard Webhooks headers with an id of the body's own, so each distinct body is its own delivery.
    static func signed(_ body: [UInt8], secret: String = WebhookServer.secret) -> [String: String] {
        standardHeaders(body, id: "msg_" + WebhookSignature.bodyDigest(body).prefix(16), secret: secret)
    }

    /// The Standard Webhooks headers for `body`, signed at `timestamp`.
    static func standardHeaders(_ body: [UInt8], id: String, timestamp: Timestamp = now, secret: String = WebhookServer.secret) -> [String: String] {
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
        let signature = WebhookSignature.auditSignature(body: body, secret: githubSecret)
        return ["X-Hub-Signature-256": signature, "X-GitHub-Event": event, "X-GitHub-Delivery": delivery]
    }
}

extension TestClientProtocol {
    /// A POST with `Content-Type: application/json` unless `contentType` says otherwise (nil sends none),
    /// each on a connection of its own: the listener closes the connection after a refusal whose body it
    /// did not read, as a sender's HTTP client expects.
    func post(
        _ uri: String, _ body: [UInt8], headers: [String: String] = [:], contentType: String? = "application/json"
    ) async throws -> PostResponse {
        var fields = HTTPFields()
        if let contentType { fields[.contentType] = contentType }
        for (name, value) in headers { fields[HTTPFields.Element.Name(name)!] = value }
        let port = try #require(self.port)
        let headers = fields
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.post(uri, headers: headers, body: ByteBuffer(bytes: body))
        }
        return PostResponse(status: response.status, headers: response.headers, text: response.body.map { String(buffer: $0) } ?? "")
    }
}

/// A response to `post`, read whole.
struct PostResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
}

extension TestResponse {
    var text: String { String(buffer: body) }
}
