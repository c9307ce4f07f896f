import Deployments
import Hummingbird

/// A request refused before anything was stored: the HTTP status, the `reason` label counted in
/// `audit_webhook_rejections_total`, and the message sent back as `{"error": …}`.
struct WebhookRejection: Error, Sendable, Equatable {
    /// The metric label; the raw values are part of the `/metrics` contract.
    enum Reason: String, Sendable, CaseIterable {
        case badSignature = "bad_signature"
        case missingSignature = "missing_signature"
        case malformedJSON = "malformed_json"
        case invalidField = "invalid_field"
        case tooLarge = "too_large"
        case unsupportedMediaType = "unsupported_media_type"
        case sourceConflict = "source_conflict"
        case staleTimestamp = "stale_timestamp"
        case recordConflict = "record_conflict"
        case deliveryConflict = "delivery_conflict"
        case malformedRequest = "malformed_request"
        case requestTimeout = "request_timeout"
        case overloaded = "overloaded"
        case routeDisabled = "route_disabled"
        case storeUnavailable = "store_unavailable"

        var status: HTTPResponse.Status {
            switch self {
            case .badSignature, .missingSignature, .staleTimestamp: return .unauthorized
            case .malformedJSON, .invalidField, .malformedRequest: return .badRequest
            case .tooLarge: return .contentTooLarge
            case .unsupportedMediaType: return .unsupportedMediaType
            case .sourceConflict, .recordConflict, .deliveryConflict: return .conflict
            case .requestTimeout: return .requestTimeout
            case .overloaded, .storeUnavailable: return .serviceUnavailable
            case .routeDisabled: return .notFound
            }
        }

        /// Refusals after which the connection is closed rather than kept alive: the body may be
        /// unread (keeping the connection would mean reading it anyway), or the sender is the load.
        var closesConnection: Bool {
            switch self {
            case .tooLarge, .requestTimeout, .overloaded, .malformedRequest, .missingSignature, .unsupportedMediaType, .routeDisabled: return true
            default: return false
            }
        }
    }

    var reason: Reason
    var message: String
    /// Sent as `Retry-After` when a retry of the same request may succeed later.
    var retryAfterSeconds: Int?

    init(_ reason: Reason, _ message: String, retryAfterSeconds: Int? = nil) {
        self.reason = reason
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    init(_ error: DeploymentInputError) {
        switch error {
        case .malformedJSON: self.init(.malformedJSON, error.description)
        case .missingField, .invalidField, .noDeploymentCommand, .noTimestamps: self.init(.invalidField, error.description)
        }
    }

    /// Nil for `invalidSecret`, which is the server's misconfiguration rather than the sender's fault.
    init?(_ error: WebhookSignatureError) {
        switch error {
        case .missingHeader: self.init(.missingSignature, error.description)
        case .malformedHeader, .signatureMismatch, .tokenMismatch: self.init(.badSignature, error.description)
        case .timestampOutsideTolerance: self.init(.staleTimestamp, error.description)
        case .invalidSecret: return nil
        }
    }

    static func tooLarge(limit: Int) -> WebhookRejection {
        WebhookRejection(.tooLarge, "body larger than \(limit) bytes")
    }
}
