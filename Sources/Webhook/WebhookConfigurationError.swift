/// Why the webhook listener will not start; the description tells the operator what to change.
public enum WebhookConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A listen address that is not PORT, HOST:PORT or [IPV6]:PORT.
    case invalidListen(String, reason: String)
    /// No secret and no explicit opt-out.
    case missingSecret
    /// `insecureNoAuth` asked for on a host other machines can reach.
    case unauthenticatedOffLoopback(String)
    /// A secret that no signature scheme can use.
    case invalidSecret(String)
    /// A body limit of zero or less, which would reject every delivery.
    case invalidBodyLimit(Int)
    /// A limit or combination of options that cannot work.
    case invalidLimit(String)
    /// Two routes configured with the same secret (the options that set them).
    case sharedSecret(String, String)

    public var description: String {
        switch self {
        case .invalidListen(let text, let reason):
            return "invalid webhook listen address \"\(text)\": \(reason)"
        case .missingSecret:
            return "the webhook listener needs a secret for at least one route: pass --webhook-secret-file PATH "
                + "(or AUDIT_WEBHOOK_SECRET) for /v1/deployments, --github-secret-file, --gitlab-token-file"
        case .unauthenticatedOffLoopback(let host):
            return "refusing unauthenticated webhooks on \(host): listen on 127.0.0.1, ::1 or localhost, "
                + "or pass --webhook-secret-file PATH or set AUDIT_WEBHOOK_SECRET"
        case .invalidSecret(let reason):
            return "invalid webhook secret: \(reason)"
        case .invalidBodyLimit(let bytes):
            return "invalid webhook body limit \(bytes): must be at least 1 byte"
        case .invalidLimit(let reason):
            return "invalid webhook configuration: \(reason)"
        case .sharedSecret(let first, let second):
            return "\(first) and \(second) hold the same secret: give every route its own "
                + "(GitLab sends its token in clear text, so sharing it lets whoever reads it sign the other routes)"
        }
    }
}
