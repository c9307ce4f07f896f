import AuditSupport
import Deployments

/// The three ways a deployment arrives, and what differs between them: the signature schemes
/// accepted, where the delivery key is, and how the body becomes a record.
enum DeploymentRoute: String, Sendable, CaseIterable {
    /// The auditor's own wire record.
    case deployments = "/v1/deployments"
    case github = "/v1/webhooks/github"
    case gitlab = "/v1/webhooks/gitlab"

    /// The schemes this route accepts, in the order they are looked for.
    var schemes: [WebhookSignature.Scheme] {
        switch self {
        case .deployments: return [.audit, .standardWebhooks]
        case .github: return [.github]
        case .gitlab: return [.gitlab]
        }
    }

    /// The message for a request that carries none of `schemes`' headers.
    var missingSignatureMessage: String {
        switch self {
        case .deployments:
            return "missing signature: send X-Audit-Signature-256, or webhook-id, webhook-timestamp and webhook-signature"
        case .github, .gitlab:
            return "missing signature header \(schemes[0].headerName)"
        }
    }

    /// The sender's delivery key, prefixed with the route so keys from different senders cannot collide.
    func deliveryID(in headers: HTTPHeaderMap) -> String? {
        let key: String?
        switch self {
        case .deployments: key = headers["webhook-id"]
        case .github: key = headers["X-GitHub-Delivery"]
        // GitLab documents Idempotency-Key as the retry key; older versions send only the event UUID.
        case .gitlab: key = headers["Idempotency-Key"] ?? headers["X-Gitlab-Event-UUID"]
        }
        guard let key = key?.trimmingSpaces(), !key.isEmpty else { return nil }
        return "\(prefix):\(key)"
    }

    private var prefix: String {
        switch self {
        case .deployments: return "webhook"
        case .github: return "github"
        case .gitlab: return "gitlab"
        }
    }

    /// The body as a deployment, or the reason it carries none.
    func map(body: [UInt8], headers: HTTPHeaderMap) throws(DeploymentInputError) -> DeploymentWebhookOutcome {
        switch self {
        case .deployments:
            return .record(try DeploymentRecord.parseWire(body, defaultSource: .webhook))
        case .github:
            guard let event = headers["X-GitHub-Event"]?.trimmingSpaces(), !event.isEmpty else {
                throw .missingField("X-GitHub-Event header")
            }
            return try GitHubDeploymentPayload.map(event: event, body: body)
        case .gitlab:
            return try GitLabDeploymentHook.map(body: body)
        }
    }
}
