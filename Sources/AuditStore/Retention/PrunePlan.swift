/// What one prune pass removes, decided on a read connection (`RetentionPlanner`) before the writer
/// deletes anything, so the writer's thread spends its time deleting, not deciding.
public struct PrunePlan: Sendable {
    /// Events older than this go, but the creates of containers that still exist; nil keeps them.
    public var eventsBeforeNs: Int64?
    /// Containers (actor rows) whose latest snapshot is not a removal. Their create stays whatever its
    /// age: the report's reconciliation section reads it to know which deployment made each running
    /// container, and keeps the deployments around it for the same reason.
    public var liveContainers: [Int64]
    /// Health-probe events to remove, hour by hour; nil when probes are kept.
    public var probes: ProbeRange?
    /// False when the probe range was cut short to bound the plan's memory: plan again after this pass.
    public var complete: Bool
    /// Set when a forwarding target's unconfirmed events held a cut-off back to this time.
    public var heldByForwardingNs: Int64?

    public init(eventsBeforeNs: Int64?, liveContainers: [Int64], probes: ProbeRange?, complete: Bool) {
        self.eventsBeforeNs = eventsBeforeNs
        self.liveContainers = liveContainers
        self.probes = probes
        self.complete = complete
    }

    /// Health-probe events of whole hours [fromHour, toHour) (hour = time_ns / 3600e9, as in exec_commands).
    public struct ProbeRange: Sendable {
        public var fromHour: Int64
        public var toHour: Int64
        /// Per hour, the containers whose exec events stay that hour: they ran something other than
        /// their health check, or an exec with a tty or privileges, or have no snapshot to tell. Only
        /// their `health_status` rows go.
        public var keepExecs: [Int64: [Int64]]

        public init(fromHour: Int64, toHour: Int64, keepExecs: [Int64: [Int64]]) {
            self.fromHour = fromHour
            self.toHour = toHour
            self.keepExecs = keepExecs
        }
    }
}

/// What a prune has done so far.
public struct PruneProgress: Sendable, Equatable {
    /// Events removed by `--retention`.
    public var events = 0
    /// Health-probe events removed by `--probe-retention`.
    public var probeEvents = 0
    /// Rows of the other tables (snapshots, exec inspections, summaries, coverage, gaps, deployments,
    /// resolved drift findings, acknowledgements, quarantined lines, webhook deliveries).
    public var otherRows = 0
    /// Pages handed back to the file system by incremental vacuum.
    public var pagesFreed = 0
    /// What the pruner is doing now, in words.
    public var phase = "starting"
    /// The whole plan was carried out (false when shutdown or failures cut it short).
    public var finished = false

    public init() {}
}
