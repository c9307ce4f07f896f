import AuditStore

/// Decides what one prune pass removes. Probes are told from people by the report's own test
/// (`FindingsInputs.isProbeCommand`, the same snapshots), so a prune never deletes an exec that a
/// report would read as a change: what the report skips as a probe is what goes.
public enum RetentionPlanner {
    /// Hours of probe events one plan covers at most: each hour's exec groups are held in memory
    /// while planning. A store further behind is caught up in several passes (`PrunePlan.complete`).
    public static let maxProbeHours: Int64 = 7 * 24
    /// An exec is inspected milliseconds after its exec_start; this much slack puts it in the right hour.
    static let inspectionSlackNs: Int64 = 60_000_000_000
    private static let hourNs: Int64 = 3_600_000_000_000

    /// nil when the policy keeps everything or the store is empty.
    public static func plan(_ reader: StoreReader, policy: RetentionPolicy, nowNs: Int64) throws -> PrunePlan? {
        var (eventsBefore, probesBefore) = policy.cutoffs(nowNs: nowNs)
        guard eventsBefore != nil || probesBefore != nil, let oldest = try reader.oldestEventNs() else { return nil }
        // What a forwarding target has not confirmed stays until it has (`audit status` shows the backlog).
        // The other tables go by the same cut-off, so it holds them too. Their changed rows (the change log
        // of migration 010) take turns with the events on the forwarder's one connection, so they are
        // confirmed about as far as the events; and a row's age moves with its change (a heartbeat, a
        // reconciliation, a finish, a resolution), so a row changed after that point is newer than the cut-off.
        // A full copy's rows are not held: one retention removes before the copy reaches it is older than
        // the retention and never reaches the fleet (which keeps its small tables), accepted because the copy
        // runs once, when a host first forwards. Nor is a record stuck behind a failing batch while events
        // flow: the hold follows the events only (`audit status` shows changed records not confirmed).
        var held: Int64?
        if let hold = try forwardingHold(reader, activeSinceNs: nowNs - (policy.retentionNs ?? policy.probeRetentionNs ?? 0)),
           [eventsBefore, probesBefore].contains(where: { ($0 ?? .min) > hold }) {
            held = hold
            eventsBefore = eventsBefore.map { min($0, hold) }
            probesBefore = probesBefore.map { min($0, hold) }
        }
        var probes: PrunePlan.ProbeRange?
        var complete = true
        if let probesBefore, probesBefore > 0 {
            let horizons = try reader.retentionHorizons()
            // Whole hours only: the hour the cut-off falls in keeps its probes until the next pass.
            let start = max(oldest, horizons.probesBeforeNs ?? 0, eventsBefore ?? 0, 0)
            let fromHour = start / hourNs
            var toHour = probesBefore / hourNs
            if toHour - fromHour > maxProbeHours {
                toHour = fromHour + maxProbeHours
                complete = false
            }
            if fromHour < toHour {
                probes = PrunePlan.ProbeRange(fromHour: fromHour, toHour: toHour, keepExecs: try keptExecs(reader, fromHour: fromHour, toHour: toHour))
            }
        }
        let live = eventsBefore == nil ? [] : try reader.liveContainerActors()
        var plan = PrunePlan(eventsBeforeNs: eventsBefore, liveContainers: live, probes: probes, complete: complete)
        plan.heldByForwardingNs = held
        return plan
    }

    /// Where retention must stop so that no forwarding target loses what it has not confirmed: the
    /// oldest position confirmed by a target the collector has worked on since `activeSinceNs` (one
    /// never confirmed holds everything). A target silent for longer (removed from the configuration)
    /// no longer holds the store. nil when no target holds it.
    static func forwardingHold(_ reader: StoreReader, activeSinceNs: Int64) throws -> Int64? {
        try reader.forwardingStates().filter { $0.updatedNs >= activeSinceNs }.map { $0.confirmedNs ?? .min }.min()
    }

    /// Per hour, the containers whose exec events must stay: a command that is not their health check
    /// (or no snapshot to tell), or an exec with a tty or privileges.
    static func keptExecs(_ reader: StoreReader, fromHour: Int64, toHour: Int64) throws -> [Int64: [Int64]] {
        let groupsByHour = try reader.execCommandGroups(fromHour: fromHour, toHour: toHour)
        let containers = Set(groupsByHour.values.joined().map(\.containerID))
        let histories = FindingsInputs.histories(try reader.snapshots(containerIDs: containers))
        var keep: [Int64: Set<Int64>] = [:]
        for (hour, groups) in groupsByHour {
            for group in groups where !FindingsInputs.isProbeCommand(group, snapshots: histories) {
                keep[hour, default: []].insert(group.actorRow)
            }
        }
        let interactive = try reader.interactiveExecTimes(fromNs: fromHour * hourNs - inspectionSlackNs, toNs: toHour * hourNs + inspectionSlackNs)
        for exec in interactive {
            for hour in Set([exec.inspectedNs / hourNs, (exec.inspectedNs - inspectionSlackNs) / hourNs]) {
                keep[hour, default: []].insert(exec.actor)
            }
        }
        return keep.mapValues { $0.sorted() }
    }
}
