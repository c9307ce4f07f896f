import AuditStore
import AuditSupport
import Synchronization

/// What the notifier last saw, for `/metrics`: open findings by severity and kind, and deliveries by
/// sink. Read at scrape time without touching the store.
public final class NotifierStatus: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Findings open or stale in the notifier's last evaluation, by severity and kind.
        public var openFindings: [Severity: [FindingKind: Int]] = [:]
        /// By sink name (`webhook:1a2b3c4d`), every configured sink listed.
        public var deliveries: [String: DeliveryCounts] = [:]
        /// How long the last evaluation took, in seconds; nil before the first.
        public var evaluationSeconds: Double?
    }

    private let state: Mutex<Snapshot>

    public init(sinks: [String]) {
        state = Mutex(Snapshot(deliveries: Dictionary(sinks.map { ($0, DeliveryCounts()) }, uniquingKeysWith: { a, _ in a })))
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func recordEvaluation(seconds: Double) {
        state.withLock { $0.evaluationSeconds = seconds }
    }

    func update(openFindings: [Severity: [FindingKind: Int]], deliveries: [String: DeliveryCounts]) {
        state.withLock { s in
            s.openFindings = openFindings
            for sink in s.deliveries.keys { s.deliveries[sink] = deliveries[sink] ?? DeliveryCounts() }
        }
    }
}
