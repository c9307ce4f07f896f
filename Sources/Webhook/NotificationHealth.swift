import AuditSupport

/// The notifier's figures for `/metrics`: findings in effect and deliveries per sink. Plain values, so
/// the listener needs nothing of the notifier.
public struct NotificationHealth: Sendable, Equatable {
    public struct Sink: Sendable, Equatable {
        /// `webhook`, `slack`, `alertmanager`.
        public var kind: String
        /// The stored name, `slack:1a2b3c4d` (a digest, never the URL).
        public var name: String
        public var sent: Int
        public var failed: Int
        public var pending: Int

        public init(kind: String, name: String, sent: Int, failed: Int, pending: Int) {
            self.kind = kind
            self.name = name
            self.sent = sent
            self.failed = failed
            self.pending = pending
        }
    }

    /// Open or stale findings of the notifier's last evaluation, by severity and kind.
    public var openFindings: [Severity: [FindingKind: Int]]
    public var sinks: [Sink]
    /// How long the notifier's last evaluation took; nil before the first.
    public var evaluationSeconds: Double?

    public init(openFindings: [Severity: [FindingKind: Int]], sinks: [Sink], evaluationSeconds: Double? = nil) {
        self.openFindings = openFindings
        self.sinks = sinks
        self.evaluationSeconds = evaluationSeconds
    }
}
