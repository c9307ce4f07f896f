import AuditSupport

/// Turns candidate events into changes: a compose recreate, a `docker run`, a `docker restart`,
/// `stop` or `kill` each become one change; the daemon's own restarts and bare process exits become
/// context; reconciler events of one container after one gap become one change.
struct SequenceGrouper {
    /// Candidate events, oldest first.
    private let events: [MatcherEvent]
    private let snapshots: [String: SnapshotHistory]
    private let gaps: [Gap]
    private var claimed: [Bool]
    /// Indices of each container's live (non-reconciler) events, oldest first.
    private var timelines: [String: [Int]] = [:]
    private var position: [Int: Int] = [:]
    private var changes: [Change] = []
    private var context: [ContextEvent] = []

    /// Groups `candidates` (oldest first) into changes and context.
    static func group(_ candidates: [MatcherEvent], snapshots: [String: SnapshotHistory], gaps: [Gap]) -> (changes: [Change], context: [ContextEvent]) {
        var grouper = SequenceGrouper(events: candidates, snapshots: snapshots, gaps: gaps)
        grouper.groupImages()
        grouper.groupReconciled()
        grouper.groupRecreates()
        grouper.groupCreates()
        // `docker restart`: kill → [kill] → die → stop → start → restart.
        grouper.groupBackward(from: "restart", through: ["kill", "die", "stop", "start"])
        // `docker stop`: kill → [kill] → die → stop.
        grouper.groupBackward(from: "stop", through: ["kill", "die"])
        // `docker rm -f`: kill → die → destroy, one removal.
        grouper.groupBackward(from: "destroy", through: ["kill", "die", "stop"])
        grouper.groupKills()
        grouper.groupSingles()
        return (grouper.changes, grouper.context)
    }

    private init(events: [MatcherEvent], snapshots: [String: SnapshotHistory], gaps: [Gap]) {
        self.events = events
        self.snapshots = snapshots
        self.gaps = gaps.sorted { $0.fromNs < $1.fromNs }
        claimed = Array(repeating: false, count: events.count)
        for (i, event) in events.enumerated() where event.type == "container" && event.source != .reconciliation {
            position[i] = timelines[event.actorID, default: []].count
            timelines[event.actorID, default: []].append(i)
        }
    }

    private mutating func add(_ kind: FindingKind, anchor: Int, members: [Int], name: String? = nil) {
        let sorted = members.sorted()
        for i in sorted { claimed[i] = true }
        changes.append(Change(kind: kind, anchor: events[anchor], members: sorted.map { events[$0] }, name: name))
    }

    private mutating func addContext(_ i: Int, _ reason: ContextReason) {
        claimed[i] = true
        context.append(ContextEvent(event: events[i], reason: reason))
    }

    private mutating func groupImages() {
        for (i, event) in events.enumerated() where event.type == "image" { add(.image, anchor: i, members: [i]) }
    }

    /// One change per container and gap: the reconciler's create, start and update of one container
    /// are one thing nobody saw happen.
    private mutating func groupReconciled() {
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (i, event) in events.enumerated() where event.type == "container" && event.source == .reconciliation {
            if event.action == "start", isDaemonStart(i) {
                addContext(i, .daemonRestart)
                continue
            }
            let gapIndex = self.gapIndex(containing: event.timeNano)
            let key = "\(event.actorID) \(gapIndex ?? -1)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(i)
        }
        for key in order {
            guard let members = groups[key], let first = members.first else { continue }
            add(.unobserved, anchor: first, members: members)
            changes[changes.count - 1].gap = gapIndex(containing: events[first].timeNano).map { gaps[$0] }
        }
    }

    /// Compose recreate: create `<12 hex of old id>_<name>`, the old container's kill/die/stop/destroy,
    /// rename to the final name, start.
    private mutating func groupRecreates() {
        for (i, event) in events.enumerated() where !claimed[i] && event.action == "create" && position[i] != nil {
            guard let (hex, finalName) = Self.temporaryName(event.name) else { continue }
            let end = event.timeNano + Timing.recreateNs
            var members = [i]
            var name = finalName
            var replaced: String?
            for j in (i + 1)..<events.count where !claimed[j] && position[j] != nil {
                let other = events[j]
                guard other.timeNano <= end else { break }
                if other.actorID == event.actorID, other.action == "rename" || other.action == "start" {
                    members.append(j)
                    if other.action == "rename", let newName = other.name { name = newName }
                    if other.action == "start" { break }
                } else if other.actorID != event.actorID, other.actorID.hasPrefix(hex),
                          ["kill", "die", "stop", "destroy"].contains(other.action) {
                    members.append(j)
                    replaced = other.actorID
                }
            }
            add(.unmanagedContainer, anchor: i, members: members, name: name)
            changes[changes.count - 1].replacedID = replaced
        }
    }

    /// `<12 lowercase hex>_<name>`, compose's temporary name for a recreated container.
    static func temporaryName(_ name: String?) -> (String, String)? {
        guard let name, let underscore = name.firstIndex(of: "_") else { return nil }
        let hex = name[..<underscore]
        let rest = name[name.index(after: underscore)...]
        guard hex.count == 12, hex.allSatisfy({ "0123456789abcdef".contains($0) }), !rest.isEmpty else { return nil }
        return (String(hex), String(rest))
    }

    /// `docker run` and `compose up`: the create with its attach and first start.
    private mutating func groupCreates() {
        for (i, event) in events.enumerated() where !claimed[i] && event.action == "create" {
            guard let line = timelines[event.actorID], let start = position[i] else { continue }
            var members = [i]
            for j in line[(start + 1)...] {
                let other = events[j]
                guard !claimed[j], other.timeNano - event.timeNano <= Timing.createStartNs,
                      other.action == "attach" || other.action == "start" else { break }
                members.append(j)
                if other.action == "start" { break }
            }
            add(.unmanagedContainer, anchor: i, members: members)
        }
    }

    /// Claims the events before each `anchor` action that belong to the same command: same container,
    /// allowed actions only, each within `Timing.sequenceGapNs` of the next.
    private mutating func groupBackward(from anchor: String, through allowed: Set<String>) {
        for (i, event) in events.enumerated() where !claimed[i] && event.action == anchor {
            guard let line = timelines[event.actorID], let start = position[i] else { continue }
            var members = [i]
            var later = event.timeNano
            for j in line[..<start].reversed() {
                let other = events[j]
                guard !claimed[j], allowed.contains(other.action), later - other.timeNano <= Timing.sequenceGapNs else { break }
                members.append(j)
                later = other.timeNano
            }
            add(.lifecycle, anchor: i, members: members)
        }
    }

    /// `docker kill`: kill → die.
    private mutating func groupKills() {
        for (i, event) in events.enumerated() where !claimed[i] && event.action == "kill" {
            guard let line = timelines[event.actorID], let start = position[i] else { continue }
            var members = [i]
            var earlier = event.timeNano
            for j in line[(start + 1)...] {
                let other = events[j]
                guard !claimed[j], other.action == "die" || other.action == "kill",
                      other.timeNano - earlier <= Timing.sequenceGapNs else { break }
                members.append(j)
                earlier = other.timeNano
                if other.action == "die" { break }
            }
            add(.lifecycle, anchor: i, members: members)
        }
    }

    private mutating func groupSingles() {
        for (i, event) in events.enumerated() where !claimed[i] {
            switch event.action {
            case "die":
                addContext(i, .processExit)
            case "start" where isDaemonStart(i):
                addContext(i, .daemonRestart)
            case "start" where isRestartPolicyStart(i):
                addContext(i, .restartPolicy)
            case "exec_start":
                add(.exec, anchor: i, members: [i])
            case "update":
                add(.update, anchor: i, members: [i])
            case "extract-to-dir", "archive-path":
                add(.copy, anchor: i, members: [i])
            case "commit":
                add(.commit, anchor: i, members: [i])
            default:
                add(.lifecycle, anchor: i, members: [i])
            }
        }
    }

    /// die → start with no kill, stop or restart before the die (those were claimed into their own
    /// sequences, so the event before the start is then a stop or the kill's die). A known policy of
    /// `no` means a person started it.
    private func isRestartPolicyStart(_ i: Int) -> Bool {
        let event = events[i]
        guard let line = timelines[event.actorID], let at = position[i], at > 0 else { return false }
        let previous = events[line[at - 1]]
        guard previous.action == "die", event.timeNano - previous.timeNano <= Timing.restartPolicyDelayNs else { return false }
        return snapshots[event.actorID]?.state(at: event.timeNano)?.restartPolicy != "no"
    }

    /// A start of a restart-policy container during a gap or within a minute after it, that no kill,
    /// stop or restart preceded: the daemon bringing its containers back.
    private func isDaemonStart(_ i: Int) -> Bool {
        let event = events[i]
        guard snapshots[event.actorID]?.state(at: event.timeNano)?.hasRestartPolicy == true,
              let gap = gaps.first(where: { $0.fromNs <= event.timeNano && event.timeNano <= $0.toNs + Timing.daemonStartGraceNs })
        else { return false }
        let userStopped = (timelines[event.actorID] ?? []).contains { j in
            let other = events[j]
            return ["kill", "stop", "restart"].contains(other.action)
                && other.timeNano >= gap.fromNs - Timing.sequenceGapNs && other.timeNano < event.timeNano
        }
        return !userStopped
    }

    /// The gap a reconciler event belongs to: the one containing it, else the next one to end (a
    /// container's own `Created` time can precede the gap's recorded start by a little).
    private func gapIndex(containing ns: Int64) -> Int? {
        gaps.firstIndex { $0.fromNs <= ns && ns <= $0.toNs } ?? gaps.firstIndex { ns <= $0.toNs }
    }
}
