import Deployments
import Webhook

/// An in-memory `DeploymentSink` with the store's contract (dedupe by delivery id, refuse a source
/// change, merge by id) that also records every call, so tests can prove a rejection stored nothing.
actor RecordingSink: DeploymentSink {
    struct Call: Sendable, Equatable {
        var id: String
        var status: DeploymentRecord.Status
        var deliveryID: String?
    }

    private(set) var records: [String: DeploymentRecord] = [:]
    private(set) var calls: [Call] = []
    /// Delivery id → body digest, and every body digest seen.
    private var deliveries: [String: String] = [:]
    private var bodies: Set<String> = []

    init(preloaded: [DeploymentRecord] = []) {
        for record in preloaded { records[record.id] = record }
    }

    func store(_ record: DeploymentRecord, delivery: Delivery) async throws -> StoreOutcome {
        calls.append(Call(id: record.id, status: record.status, deliveryID: delivery.id))
        if let id = delivery.id, let digest = deliveries[id] {
            return digest == delivery.bodyDigest ? .duplicateDelivery : .deliveryConflict
        }
        if bodies.contains(delivery.bodyDigest) { return .duplicateDelivery }
        if let existing = records[record.id], existing.source != record.source {
            return .sourceConflict(existing: existing.source)
        }
        let stored: DeploymentRecord
        do throws(DeploymentConflict) {
            if let existing = records[record.id] { stored = try existing.merged(with: record) } else { stored = record }
        } catch {
            return .recordConflict(error)
        }
        if let id = delivery.id { deliveries[id] = delivery.bodyDigest }
        bodies.insert(delivery.bodyDigest)
        records[record.id] = stored
        return .stored(stored)
    }
}
