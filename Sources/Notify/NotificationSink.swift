import AuditSupport
import HTTPTransport

/// Turns a stored notification into the request one kind of sink expects. Pure: sending, retries and
/// bookkeeping are `NotificationSender`'s.
protocol NotificationSink: Sendable {
    var configuration: SinkConfiguration { get }
    /// The request for one notification; `body` is the stored JSON `payload` was decoded from, and
    /// `now` is the time of this attempt (a signature's timestamp, an alert's expiry).
    func request(for payload: NotificationPayload, body: String, now: Timestamp) -> HTTPRequest
    /// The same, knowing the finding's first announcement (`opened`, its outbox `open` row's body, nil
    /// when not stored): Alertmanager keeps its labels for every later post of the finding.
    func request(for payload: NotificationPayload, body: String, opened: NotificationPayload?, now: Timestamp) -> HTTPRequest
}

extension NotificationSink {
    func request(for payload: NotificationPayload, body: String, opened: NotificationPayload?, now: Timestamp) -> HTTPRequest {
        request(for: payload, body: body, now: now)
    }
}

enum NotificationSinks {
    static let userAgent = "audit-notifier/1"
    /// Per request, connection included: a hung sink costs this much, then the attempt is retried.
    static let requestTimeoutSeconds = 10
    /// A sink's answer is read only to be logged on a refusal; anything past this is cut off.
    static let maxAnswerBytes = 64 << 10

    static func make(_ configuration: SinkConfiguration, secret: String?) -> any NotificationSink {
        switch configuration.kind {
        case .webhook: return WebhookSink(configuration: configuration, secret: secret ?? "")
        case .slack: return SlackSink(configuration: configuration)
        case .alertmanager: return AlertmanagerSink(configuration: configuration)
        }
    }
}
