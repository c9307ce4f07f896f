import AuditSupport
/// The rules that decide, one event at a time, whether an event is context or may be part of a
/// change. Sequences (restart, stop, recreate) are the `SequenceGrouper`'s job.
struct EventClassifier {
    enum Verdict: Equatable {
        case context(ContextReason)
        case candidate
    }

    static let containerChanges: Set<String> = [
        "create", "start", "restart", "stop", "kill", "destroy", "rename", "update", "pause", "unpause",
        "exec_start", "attach", "commit", "extract-to-dir", "archive-path",
        // Not a change alone, but part of kill, stop and restart sequences.
        "die",
    ]
    static let imageChanges: Set<String> = ["pull", "tag", "untag", "delete", "load", "import"]
    static let execCompanions: Set<String> = ["exec_create", "exec_die", "exec_detach"]

    let snapshots: [String: SnapshotHistory]
    let execs: [String: ExecDetails]
    /// Exec ids whose `exec_start` is a health probe, so their companions go with them.
    private let probeExecIDs: Set<String>

    init(events: [MatcherEvent], snapshots: [String: SnapshotHistory], execs: [String: ExecDetails]) {
        self.snapshots = snapshots
        self.execs = execs
        var probes = Set<String>()
        for event in events where event.action == "exec_start" {
            if let id = event.execID, Self.isProbe(event, snapshots: snapshots, execs: execs) { probes.insert(id) }
        }
        probeExecIDs = probes
    }

    /// Nil for event types that never matter to the matcher (network, volume, plugin, …).
    func verdict(_ event: MatcherEvent) -> Verdict? {
        switch event.type {
        case "image":
            return Self.imageChanges.contains(event.action) ? .candidate : .context(.notAChange)
        case "container":
            break
        default:
            return nil
        }
        // The reconciler only writes what changed, and nobody watched it happen.
        if event.source == .reconciliation { return .candidate }
        switch event.action {
        case _ where Self.execCompanions.contains(event.action):
            return .context(event.execID.map(probeExecIDs.contains) == true ? .healthProbe : .execCompanion)
        case "exec_start":
            return Self.isProbe(event, snapshots: snapshots, execs: execs) ? .context(.healthProbe) : .candidate
        case "health_status":
            return .context(.healthStatus)
        case "oom":
            return .context(.outOfMemory)
        default:
            return Self.containerChanges.contains(event.action) ? .candidate : .context(.notAChange)
        }
    }

    /// A probe runs exactly the configured health check command. The daemon never gives a probe a
    /// tty or privileges, so an exec that has either is a person, whatever it runs.
    static func isProbe(_ event: MatcherEvent, snapshots: [String: SnapshotHistory], execs: [String: ExecDetails]) -> Bool {
        guard let command = event.detail,
              snapshots[event.actorID]?.isHealthCheck(command, at: event.timeNano) == true else { return false }
        if let details = event.execID.flatMap({ execs[$0] }), details.tty || details.privileged { return false }
        return true
    }
}
