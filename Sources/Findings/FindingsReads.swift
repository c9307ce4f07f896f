import AuditStore
import AuditSupport

/// The windows the findings engine reads a store over for one query: `FindingsInputs` reads through
/// them, and a store that reads many hosts with one statement (the fleet's) reads ahead exactly what
/// the engine will then ask of each host.
public struct FindingsReads: Sendable, Equatable {
    public struct Window: Sendable, Equatable {
        public var fromNs: Int64
        public var toNs: Int64

        public init(fromNs: Int64, toNs: Int64) {
            self.fromNs = fromNs
            self.toNs = toNs
        }
    }

    /// Sequences (a `docker restart` is five events) may start before the window, and what happened
    /// after it (a removal, a later deployment) decides a finding's status: read around the window.
    static let lookbackNs: Int64 = 5 * 60 * 1_000_000_000
    /// An in-progress deployment can cover up to 30 minutes, so one started that long before the window counts.
    static let deploymentLookbackNs: Int64 = 30 * 60 * 1_000_000_000

    /// Changes, exec groups and exec starts.
    public var events: Window
    public var deployments: Window
    public var gaps: Window
    /// Coverage and drift findings: the window itself.
    public var window: Window
    /// The reconciliation's records: every one up to now.
    public var everyDeployment: Window

    public init(_ query: FindingsQuery) {
        let readFrom = query.fromNs.minus(saturating: Self.lookbackNs)
        events = Window(fromNs: readFrom, toNs: query.nowNs)
        deployments = Window(fromNs: query.fromNs.minus(saturating: Self.deploymentLookbackNs), toNs: query.nowNs)
        gaps = Window(fromNs: readFrom, toNs: query.nowNs)
        window = Window(fromNs: query.fromNs, toNs: query.toNs)
        everyDeployment = Window(fromNs: .min, toNs: query.nowNs)
    }

    /// The containers whose snapshots the engine reads: every container with a change or an exec in
    /// the events' window.
    public static func snapshotContainers(changes: [StoredEvent], execGroups: [ExecCommandGroup]) -> Set<String> {
        Set(changes.lazy.filter { $0.type == "container" }.map(\.actorID)).union(execGroups.map(\.containerID))
    }

    /// The exec groups whose events the engine reads one by one: every group but a container's health
    /// probe, as the container's snapshots tell it.
    public static func execGroupsRead(_ groups: [ExecCommandGroup], snapshots: [String: [SnapshotRow]]) -> [ExecCommandGroup] {
        let containers = Set(groups.map(\.containerID))
        let histories = FindingsInputs.histories(snapshots.filter { containers.contains($0.key) })
        return groups.filter { !FindingsInputs.isProbeCommand($0, snapshots: histories) }
    }

    /// The execs whose inspections the engine reads: those of the exec_start events it read.
    public static func execIDs(_ events: [StoredEvent]) -> Set<String> {
        Set(events.compactMap { $0.action == "exec_start" ? $0.attributes["execID"] : nil })
    }
}
