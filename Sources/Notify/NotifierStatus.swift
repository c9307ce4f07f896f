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
    /// The outbox's own counts at the last update. Retention deletes old delivered rows, so those counts
    /// can fall; `/metrics` exports counters, which must not: only what grew is added.
    private let lastCounted = Mutex<[String: DeliveryCounts]>([:])

    public init(sinks: [String]) {
        state = Mutex(Snapshot(deliveries: Dictionary(sinks.map { ($0, DeliveryCounts()) }, uniquingKeysWith: { a, _ in a })))
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func recordEvaluation(seconds: Double) {
        state.withLock { $0.evaluationSeconds = seconds }
    }

    func update(openFindings: [Severity: [FindingKind: Int]], deliveries: [String: DeliveryCounts]) {
        let previous = lastCounted.withLock { last in
            defer { last = deliveries }
            return last
        }
        state.withLock { s in
            s.openFindings = openFindings
            for sink in s.deliveries.keys {
                let now = deliveries[sink] ?? DeliveryCounts()
                // The first reading is taken whole; later ones add what grew (a prune only lowers them).
                guard let before = previous[sink] else {
                    s.deliveries[sink] = now
                    continue
                }
                var shown = s.deliveries[sink] ?? DeliveryCounts()
                shown.sent += max(0, now.sent - before.sent)
                shown.failed += max(0, now.failed - before.failed)
                shown.pending = now.pending
                s.deliveries[sink] = shown
            }
        }
    }
}
