import AuditStore
import AuditSupport
import DockerAPI
import Findings

/// After a gap in coverage, compares what is running now with the last snapshots and stores what
/// changed while nobody watched, as events from source `reconciliation` (attribute
/// `observed-by-reconciliation`). The daemon's replay buffer holds 256 events and dies with the
/// daemon; this is what makes a gap bounded in what it can hide.
struct Reconciler: Sendable {
    let client: DockerClient
    let writer: EventWriter

    struct Outcome: Sendable {
        var containersSeen = 0
        var changes: [DockerEvent] = []
    }

    /// - Parameters:
    ///   - known: the latest snapshot of each container the store believes exists.
    ///   - gapEndNs: when watching resumed; the time given to changes whose moment is unknown.
    ///   - recordChanges: false on the very first run, when there is no past to compare with: only
    ///     baseline snapshots are stored.
    func reconcile(known: [String: ContainerSnapshot], gapEndNs: Int64, recordChanges: Bool) async throws(DockerError) -> Outcome {
        var outcome = Outcome()
        let now = Timestamp.now().nanoseconds
        var present = Set<String>()
        for summary in try await client.listContainers() {
            // Thousands of inspections can follow; a shutdown must not wait for all of them.
            if Task.isCancelled { throw .cancelled }
            guard let inspect = try await client.inspectContainer(summary.id) else { continue }
            present.insert(summary.id)
            outcome.containersSeen += 1
            let snapshot = ContainerSnapshot(inspect)
            let old = known[summary.id]
            let changes = recordChanges ? Self.changes(from: old, to: snapshot, gapEndNs: gapEndNs) : []
            outcome.changes += changes
            if old == nil || old != snapshot {
                let reason = old == nil && !recordChanges ? "baseline" : "reconciliation"
                writer.enqueue(snapshot: SnapshotRecord(containerID: summary.id, takenNs: now, triggerNs: nil, reason: reason, snapshot: snapshot))
            }
            // With its snapshot, never after the loop: a reconciliation cut short (SIGTERM, the engine
            // gone) must not store the new snapshot without the change, or the next one compares
            // against it and the change is never found.
            if !changes.isEmpty { writer.enqueue(events: changes, source: .reconciliation) }
        }
        if recordChanges {
            for (id, old) in known where !present.contains(id) {
                let destroy = Self.event(old, action: "destroy", at: gapEndNs, extra: [])
                outcome.changes.append(destroy)
                writer.enqueue(snapshot: SnapshotRecord(containerID: id, takenNs: now, triggerNs: nil, reason: "reconciliation", snapshot: nil))
                writer.enqueue(events: [destroy], source: .reconciliation)
            }
        }
        return outcome
    }

    /// The events that explain how `old` became `new`.
    static func changes(from old: ContainerSnapshot?, to new: ContainerSnapshot, gapEndNs: Int64) -> [DockerEvent] {
        guard let old else {
            var events = [event(new, action: "create", at: new.createdTimestamp?.nanoseconds ?? gapEndNs, extra: [])]
            if let started = new.startedAtTimestamp { events.append(event(new, action: "start", at: started.nanoseconds, extra: [])) }
            return events
        }
        var events: [DockerEvent] = []
        if old.name != new.name {
            events.append(event(new, action: "rename", at: gapEndNs, extra: [.init("oldName", "/" + old.name)]))
        }
        if let started = new.startedAtTimestamp, new.startedAt != old.startedAt {
            events.append(event(new, action: "start", at: started.nanoseconds, extra: []))
        }
        if old.running && !new.running {
            let finished = new.finishedAt.flatMap(RFC3339.parse)?.nanoseconds ?? gapEndNs
            events.append(event(new, action: "die", at: finished, extra: []))
        }
        let configChanges = new.configChanges(from: old)
        if !configChanges.isEmpty {
            let text = configChanges.map(\.description).joined(separator: "; ")
            events.append(event(new, action: "update", at: gapEndNs, extra: [.init("changes", text)]))
        }
        return events
    }

    static func event(_ s: ContainerSnapshot, action: String, at ns: Int64, extra: [Attributes.Pair]) -> DockerEvent {
        var attributes = s.labels
        attributes["image"] = s.imageRef ?? s.imageID
        attributes["name"] = s.name
        attributes["observed-by-reconciliation"] = "true"
        for pair in extra { attributes[pair.key] = pair.value }
        return DockerEvent(type: "container", action: action, actorID: s.id, attributes: Attributes(attributes), scope: "local", timeNano: ns)
    }
}
