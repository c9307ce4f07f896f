import AuditStore
import AuditSupport
import Collector
import Deployments
import DockerAPI
import Fleet
import Notify
import Webhook

/// The webhook's storage: deployment records go to the same SQLite store as the events.
struct StoreDeploymentSink: DeploymentSink {
    let repository: DeploymentRepository
    /// Checked against the record as merged, inside the storing transaction.
    let bounds: DeploymentBounds

    func store(_ record: DeploymentRecord, delivery: Delivery) async throws -> StoreOutcome {
        // SQLite blocks: off the cooperative pool, like every other store call of the collector.
        let (repository, bounds) = (self.repository, self.bounds)
        let outcome = try await OwnThread.run("webhook-store") { () throws(SQLiteError) in
            try repository.store(record, deliveryID: delivery.id, bodyDigest: delivery.bodyDigest, bounds: bounds)
        }
        switch outcome {
        case .stored(let stored, _): return .stored(stored)
        case .duplicateDelivery: return .duplicateDelivery
        case .deliveryConflict: return .deliveryConflict
        case .sourceConflict(let existing): return .sourceConflict(existing: existing)
        case .recordConflict(let conflict): return .recordConflict(conflict)
        }
    }
}

/// `/healthz` and `/metrics` read the running collector's state.
struct CollectorHealthBridge: CollectorHealthSource {
    let status: CollectorStatus
    let statistics: WriterStatistics
    /// The notifier's figures, with its sinks, when `--notify` is given.
    var notifier: (status: NotifierStatus, sinks: [SinkConfiguration])? = nil
    /// The forwarder's figures, when `--forward` is given.
    var forwarder: ForwarderStatus? = nil

    func health() -> CollectorHealth {
        let newest = statistics.newestEventNs
        let age = newest > 0 ? Double(Timestamp.now().nanoseconds - newest) / 1e9 : nil
        return CollectorHealth(connected: status.connected, lastEventAgeSeconds: age, eventsStored: statistics.eventsStored,
                               quarantined: statistics.linesQuarantined, reconnects: status.reconnects, gaps: status.gaps,
                               eventsDropped: statistics.eventsDropped, storeFull: statistics.storeFull,
                               notifications: notifier.map { notifier in
                                   let snapshot = notifier.status.snapshot
                                   return NotificationHealth(openFindings: snapshot.openFindings, sinks: notifier.sinks.map { sink in
                                       let counts = snapshot.deliveries[sink.name] ?? DeliveryCounts()
                                       return .init(kind: sink.kind.rawValue, name: sink.name, sent: counts.sent, failed: counts.failed, pending: counts.pending)
                                   }, evaluationSeconds: snapshot.evaluationSeconds)
                               },
                               forwarding: forwarder.map { forwarder in
                                   let f = forwarder.snapshot
                                   return ForwardingHealth(target: f.target, connected: f.connected, pendingEvents: f.pendingRows, lagSeconds: f.lagSeconds,
                                                           lastSuccessSeconds: f.lastSuccessNs.map { Double($0) / 1e9 }, eventsSent: f.rowsSent, eventsStored: f.rowsInserted,
                                                           pendingChanges: f.pendingChanges)
                               })
    }
}
