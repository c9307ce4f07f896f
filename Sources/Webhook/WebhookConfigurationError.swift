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

    public var description: String {
        switch self {
        case .invalidListen(let text, let reason):
            return "invalid webhook listen address \"\(text)\": \(reason)"
        case .missingSecret:
            return "the webhook listener needs a shared secret: pass --webhook-secret-file PATH or set AUDIT_WEBHOOK_SECRET"
        case .unauthenticatedOffLoopback(let host):
            return "refusing unauthenticated webhooks on \(host): listen on 127.0.0.1, ::1 or localhost, "
                + "or pass --webhook-secret-file PATH or set AUDIT_WEBHOOK_SECRET"
        case .invalidSecret(let reason):
            return "invalid webhook secret: \(reason)"
        case .invalidBodyLimit(let bytes):
            return "invalid webhook body limit \(bytes): must be at least 1 byte"
        }
    }
}
