import AuditSupport

/// One stored snapshot of a container, with the configuration diff from the one before it, which the
/// lead renders with `ContainerSnapshot.configChanges(from:)` (`memory 512 MiB → 2 GiB`).
public struct SnapshotEntry: Sendable, Equatable {
    public var takenNs: Int64
    /// The event that triggered the snapshot, when one did.
    public var triggerNs: Int64?
    /// `baseline`, `event`, `reconciliation`, …
    public var reason: String
    public var state: ContainerState
    public var configChangesFromPrevious: [String]

    public init(takenNs: Int64, triggerNs: Int64? = nil, reason: String, state: ContainerState, configChangesFromPrevious: [String] = []) {
        self.takenNs = takenNs
        self.triggerNs = triggerNs
        self.reason = reason
        self.state = state
        self.configChangesFromPrevious = configChangesFromPrevious
    }
}

/// The snapshots of one container, oldest first.
public struct SnapshotHistory: Sendable, Equatable {
    public private(set) var entries: [SnapshotEntry]

    public init(_ entries: [SnapshotEntry]) {
        self.entries = entries.sorted { $0.takenNs < $1.takenNs }
    }

    /// The state in effect at `ns`: the latest snapshot taken by then, or the first one when all were
    /// taken later (the collector snapshots a container only after its create event).
    public func state(at ns: Int64) -> ContainerState? {
        (entries.last { $0.takenNs <= ns } ?? entries.first)?.state
    }

    /// Whether `command` (an exec's entrypoint and arguments, as the daemon joins them) is the health
    /// check in effect at `ns`. The daemon joins them with a space even when there are no arguments
    /// (`exec_start: true `), hence the trimming.
    public func isHealthCheck(_ command: String, at ns: Int64) -> Bool {
        guard let probe = state(at: ns)?.probeCommand else { return false }
        return command.trimmedOfSpaces() == probe.trimmedOfSpaces()
    }

    /// What an update at `eventNs` changed: the diff of the snapshot it triggered, else of the first
    /// snapshot taken after it.
    public func changes(causedBy eventNs: Int64) -> [String]? {
        (entries.first { $0.triggerNs == eventNs } ?? entries.first { $0.takenNs >= eventNs })?.configChangesFromPrevious
    }
}
