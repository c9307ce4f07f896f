import AuditStore
import Deployments
import DockerAPI
import Findings

/// The store protocol over plain arrays, written from the protocol's documentation alone: what a
/// second store must answer. Records which exec groups the engine read event by event.
final class MemoryStore: FindingsStore {
    var events: [StoredEvent] = []
    var snapshotRows: [String: [SnapshotRow]] = [:]
    var execRows: [String: ExecRow] = [:]
    var records: [DeploymentRecord] = []
    var drift: [StoredDriftFinding] = []
    var ackRows: [StoredAck] = []
    var intervals: [CoverageInterval] = []
    var gapRows: [StoredGap] = []
    private(set) var groupsRead: [String] = []

    private static func isChange(_ e: StoredEvent) -> Bool {
        ["container", "image"].contains(e.type) && !e.action.hasPrefix("exec_") && e.action != "health_status"
    }

    private func window(_ fromNs: Int64, _ toNs: Int64) -> [StoredEvent] {
        events.filter { (fromNs...toNs).contains($0.timeNano) }.sorted { $0.timeNano < $1.timeNano }
    }

    func changes(fromNs: Int64, toNs: Int64) throws -> [StoredEvent] { window(fromNs, toNs).filter(Self.isChange) }

    func execCommandGroups(fromNs: Int64, toNs: Int64) throws -> [ExecCommandGroup] {
        let starts = window(fromNs, toNs).filter { $0.action == "exec_start" }
        let keys = Array(Set(starts.map { "\($0.actorID)\u{0}\($0.detail ?? "")" })).sorted()
        return keys.enumerated().map { index, key in
            let group = starts.filter { "\($0.actorID)\u{0}\($0.detail ?? "")" == key }
            return ExecCommandGroup(containerID: group[0].actorID, actorRow: Int64(index), command: group[0].detail ?? "",
                                    count: group.count, firstNs: group.first!.timeNano, lastNs: group.last!.timeNano)
        }
    }

    func execStarts(of group: ExecCommandGroup, fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        groupsRead.append(group.command)
        return window(fromNs, toNs).filter { $0.action == "exec_start" && $0.actorID == group.containerID && ($0.detail ?? "") == group.command }
    }

    func interactiveExecStarts(fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        window(fromNs, toNs).filter { e in
            e.action == "exec_start" && e.attributes["execID"].flatMap { execRows[$0] }.map { $0.tty || $0.privileged } == true
        }
    }

    func snapshots(containerIDs: Set<String>) throws -> [String: [SnapshotRow]] { snapshotRows.filter { containerIDs.contains($0.key) } }
    func execs(ids: Set<String>) throws -> [String: ExecRow] { execRows.filter { ids.contains($0.key) } }

    func deployments(fromNs: Int64, toNs: Int64) throws -> [DeploymentRecord] {
        records.filter { $0.startedAt.nanoseconds <= toNs && ($0.finishedAt?.nanoseconds ?? .max) >= fromNs }
    }

    func driftFindings(fromNs: Int64, toNs: Int64) throws -> [StoredDriftFinding] {
        drift.filter { $0.firstSeenNs <= toNs && ($0.resolvedNs ?? .max) >= fromNs }
    }

    func acks() throws -> [StoredAck] { ackRows }

    func coverage(fromNs: Int64, toNs: Int64) throws -> [CoverageInterval] {
        intervals.filter { $0.startedNs <= toNs && $0.endNs >= fromNs }
            .map { CoverageInterval(startedNs: max($0.startedNs, fromNs), endNs: min($0.endNs, toNs), open: $0.open) }
    }

    func gaps(fromNs: Int64, toNs: Int64) throws -> [StoredGap] { gapRows.filter { $0.toNs >= fromNs && $0.fromNs <= toNs } }

    func runningComposeContainers() throws -> [RunningComposeContainer] {
        snapshotRows.compactMap { id, rows in
            guard let s = rows.last?.snapshot, s.running, let project = s.labels["com.docker.compose.project"] else { return nil }
            return RunningComposeContainer(id: id, name: s.name, project: project, service: s.labels["com.docker.compose.service"], created: s.created)
        }
    }

    var horizons = RetentionHorizons()
    func retentionHorizons() throws -> RetentionHorizons { horizons }

    func composeContainerCreates() throws -> [StoredEvent] {
        events.filter { $0.type == "container" && $0.project != nil && $0.action == "create" }.sorted { $0.timeNano < $1.timeNano }
    }
}
