import AuditSupport
import Deployments

/// The three ways a deployment arrives, and what differs between them: the signature schemes
/// accepted, where the delivery key is, and how the body becomes a record.
enum DeploymentRoute: String, Sendable, CaseIterable {
    /// The auditor's own wire record.
    case deployments = "/v1/deployments"
    case github = "/v1/webhooks/github"
    case gitlab = "/v1/webhooks/gitlab"

    /// The sources `/v1/deployments` records may name: the auditor's own clients.
    static let ownSources: Set<DeploymentRecord.Source> = [.webhook, .cli, .logImport]

    /// The schemes this route accepts, in the order they are looked for. `/v1/deployments` takes
    /// Standard Webhooks, whose signed id and timestamp stop replays; the bare body HMAC only when
    /// the operator asked for it.
    func schemes(acceptBareHMAC: Bool) -> [WebhookSignature.Scheme] {
        switch self {
        case .deployments: return acceptBareHMAC ? [.standardWebhooks, .audit] : [.standardWebhooks]
        case .github: return [.github]
        case .gitlab: return [.gitlab]
        }
    }

    /// The message for a request that carries none of the accepted schemes' headers.
    func missingSignatureMessage(acceptBareHMAC: Bool) -> String {
        switch self {
        case .deployments:
            return "missing signature: send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)"
                + (acceptBareHMAC ? ", or X-Audit-Signature-256" : "")
        case .github, .gitlab:
            return "missing signature header \(schemes(acceptBareHMAC: false)[0].headerName)"
        }
    }

    /// The option that gives this route its secret, for the answer to a route that is not served.
    var secretOption: String {
        switch self {
        case .deployments: return "--webhook-secret-file"
        case .github: return "--github-secret-file"
        case .gitlab: return "--gitlab-token-file"
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

    /// The body's digest, prefixed with the route like the delivery key.
    func bodyDigest(_ body: [UInt8]) -> String {
        "\(prefix):sha256:\(WebhookSignature.bodyDigest(body))"
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
            let record = try DeploymentRecord.parseWire(body, defaultSource: .webhook)
            // The route decides the source: a body posted here cannot speak for GitHub or GitLab, whose
            // records arrive signed on their own routes, nor merge into their ids.
            guard Self.ownSources.contains(record.source) else {
                throw .invalidField("source", reason: "\(JSONWriter.quoted(record.source.rawValue)) records arrive on their own route, "
                    + "not /v1/deployments (which takes webhook, cli and log-import records)")
            }
            if let prefix = ["github-", "gitlab-"].first(where: record.id.hasPrefix) {
                throw .invalidField("id", reason: "ids starting with \(prefix) belong to that provider's route; choose another")
            }
            return .record(record)
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
