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
    private var deliveries: Set<String> = []

    init(preloaded: [DeploymentRecord] = []) {
        for record in preloaded { records[record.id] = record }
    }

    func store(_ record: DeploymentRecord, deliveryID: String?) async throws -> StoreOutcome {
        calls.append(Call(id: record.id, status: record.status, deliveryID: deliveryID))
        if let deliveryID, deliveries.contains(deliveryID) { return .duplicateDelivery }
        if let existing = records[record.id], existing.source != record.source {
            return .sourceConflict(existing: existing.source)
        }
        if let deliveryID { deliveries.insert(deliveryID) }
        let stored = records[record.id].map { $0.merged(with: record) } ?? record
        records[record.id] = stored
        return .stored(stored)
    }
}
