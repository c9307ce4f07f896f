import AuditStore
import AuditSupport
import Collector
import Deployments
import Webhook

/// The webhook's storage: deployment records go to the same SQLite store as the events.
struct StoreDeploymentSink: DeploymentSink {
    let repository: DeploymentRepository

    func store(_ record: DeploymentRecord, deliveryID: String?) async throws -> StoreOutcome {
        switch try repository.store(record, deliveryID: deliveryID) {
        case .stored(let stored, _): return .stored(stored)
        case .duplicateDelivery: return .duplicateDelivery
        case .sourceConflict(let existing): return .sourceConflict(existing: existing)
        }
    }
}

/// `/healthz` and `/metrics` read the running collector's state.
struct CollectorHealthBridge: CollectorHealthSource {
    let status: CollectorStatus
    let statistics: WriterStatistics

    func health() -> CollectorHealth {
        let newest = statistics.newestEventNs
        let age = newest > 0 ? Double(Timestamp.now().nanoseconds - newest) / 1e9 : nil
        return CollectorHealth(connected: status.connected, lastEventAgeSeconds: age, eventsStored: statistics.eventsStored,
                               quarantined: statistics.linesQuarantined, reconnects: status.reconnects, gaps: status.gaps)
    }
}
