/// Why a webhook was not authenticated; the description is the reason sent with the HTTP 401.
public enum WebhookSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The header the scheme signs with is absent.
    case missingHeader(String)
    /// The header is present but not in the scheme's shape.
    case malformedHeader(String, expected: String)
    /// The signature does not match the body and secret.
    case signatureMismatch
    /// GitLab's shared token differs from the configured secret.
    case tokenMismatch
    /// A Standard Webhooks timestamp too far from now: a replay, or a clock badly off.
    case timestampOutsideTolerance
    /// The configured secret is unusable; a server configuration problem rather than the sender's.
    case invalidSecret(String)

    public var description: String {
        switch self {
        case .missingHeader(let name): return "missing signature header \(name)"
        case .malformedHeader(let name, let expected): return "malformed signature header \(name): expected \(expected)"
        case .signatureMismatch: return "signature mismatch"
        case .tokenMismatch: return "token mismatch"
        case .timestampOutsideTolerance: return "timestamp outside the 5 minute tolerance"
        case .invalidSecret(let reason): return "invalid secret: \(reason)"
        }
    }
}
