import AuditStore
import AuditSupport
import Deployments
import DockerAPI
import Matcher

/// Reads what one evaluation needs from the store and maps it into the matcher's inputs.
struct FindingsInputs {
    var events: [MatcherEvent] = []
    var snapshots: [String: SnapshotHistory] = [:]
    var execs: [String: ExecDetails] = [:]
    var deployments: [Deployment] = []
    var records: [DeploymentRecord] = []
    var gaps: [StoredGap] = []
    var coverage: [CoverageInterval] = []
    var acks: [Ack] = []

    /// Reads only what can be a change: health probes (most of a busy host's events) are recognised
    /// from the per-hour exec summary and never read one by one; everything the matcher would only
    /// have kept as context (exec companions, health status, network events) stays in the store.
    static func load(_ reader: some FindingsStore, _ reads: FindingsReads) throws -> FindingsInputs {
        var inputs = FindingsInputs()
        let events = reads.events
        var stored = try reader.changes(fromNs: events.fromNs, toNs: events.toNs)
        let execGroups = try reader.execCommandGroups(fromNs: events.fromNs, toNs: events.toNs)
        inputs.snapshots = histories(try reader.snapshots(containerIDs: FindingsReads.snapshotContainers(changes: stored, execGroups: execGroups)))

        // `changes` holds no exec events; only the two exec readers below can return the same one.
        var seen = Set<EventKey>()
        func add(_ events: [StoredEvent]) {
            for e in events where seen.insert(EventKey(timeNano: e.timeNano, actorID: e.actorID, action: e.action)).inserted { stored.append(e) }
        }
        for group in execGroups where !isProbeCommand(group, snapshots: inputs.snapshots) {
            add(try reader.execStarts(of: group, fromNs: events.fromNs, toNs: events.toNs))
        }
        add(try reader.interactiveExecStarts(fromNs: events.fromNs, toNs: events.toNs))

        inputs.events = stored.map(matcherEvent)
        for (id, row) in try reader.execs(ids: FindingsReads.execIDs(stored)) {
            inputs.execs[id] = ExecDetails(execID: id, user: row.user ?? "", privileged: row.privileged, tty: row.tty,
                                           entrypoint: row.entrypoint ?? "", arguments: row.arguments)
        }
        inputs.records = try reader.deployments(fromNs: reads.deployments.fromNs, toNs: reads.deployments.toNs)
        inputs.deployments = inputs.records.map(deployment)
        inputs.gaps = try reader.gaps(fromNs: reads.gaps.fromNs, toNs: reads.gaps.toNs)
        inputs.coverage = try reader.coverage(fromNs: reads.window.fromNs, toNs: reads.window.toNs)
        inputs.acks = try reader.acks().map { Ack(findingID: $0.findingID, by: $0.by, reason: $0.reason, atNs: $0.atNs, expiresNs: $0.expiresNs) }
        return inputs
    }

    static func matcherEvent(_ e: StoredEvent) -> MatcherEvent {
        MatcherEvent(timeNano: e.timeNano, type: e.type, action: e.action, detail: e.detail, actorID: e.actorID,
                     name: e.name, attributes: Dictionary(e.attributes.pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                     source: Self.source(e.source), project: e.project, service: e.service)
    }

    /// What the reconciliation section reads: the running compose containers, every stored create of
    /// one, and every deployment record (a container may be weeks older than the window).
    static func reconciliation(_ reader: some FindingsStore, _ reads: FindingsReads) throws -> (running: [RunningContainer], creates: [MatcherEvent], deployments: [Deployment]) {
        let running = try reader.runningComposeContainers().map { c in
            RunningContainer(id: c.id, name: c.name, project: c.project, service: c.service,
                             createdNs: c.created.flatMap(RFC3339.parse)?.nanoseconds ?? 0)
        }
        let creates = try reader.composeContainerCreates().map(reconciliationCreate)
        return (running, creates, try reader.deployments(fromNs: reads.everyDeployment.fromNs, toNs: reads.everyDeployment.toNs).map(deployment))
    }

    /// A create as the reconciliation reads it: which container, when, its name and compose labels. The
    /// reconciliation never reads a create's other attributes, and mapping every label of every create a
    /// host ever stored into a dictionary was 7% of a fleet report's CPU (33,000 creates for 100 hosts).
    static func reconciliationCreate(_ e: StoredEvent) -> MatcherEvent {
        let attributes = e.attributes
        return MatcherEvent(timeNano: e.timeNano, type: e.type, action: e.action, detail: e.detail, actorID: e.actorID, name: attributes["name"],
                            source: Self.source(e.source), project: e.project ?? attributes[ComposeLabel.project],
                            service: e.service ?? attributes[ComposeLabel.service])
    }

    /// A record as the matcher reads it: its clock, and what each of its commands can do.
    static func deployment(_ r: DeploymentRecord) -> Deployment {
        func step(_ command: String, _ timed: DeploymentRecord.Step?) -> Deployment.Step {
            let effects = CommandEffects.of(command)
            return Deployment.Step(
                command: command, effects: effects.isOpaque ? nil : Set(effects.effects.compactMap { Deployment.Effect(rawValue: $0.rawValue) }),
                startedAtNs: timed?.startedAt.nanoseconds, finishedAtNs: timed?.finishedAt?.nanoseconds, touched: timed?.touched)
        }
        let steps = r.steps.map { $0.map { step($0.command, $0) } } ?? r.commands.map { $0.map { step($0, nil) } }
        let clock: Deployment.Clock
        switch r.source {
        case .cli: clock = .local
        case .logImport: clock = .log
        case .webhook, .github, .gitlab: clock = .sender
        }
        return Deployment(id: r.id, host: r.host, project: r.project, services: r.services, images: r.images,
                          status: Deployment.Status(rawValue: r.status.rawValue) ?? .inProgress,
                          startedAtNs: r.startedAt.nanoseconds, finishedAtNs: r.finishedAt?.nanoseconds, touched: r.touched,
                          clock: clock, receivedAtNs: r.receivedAt?.nanoseconds, steps: steps)
    }

    private struct EventKey: Hashable {
        let timeNano: Int64
        let actorID: String
        let action: String
    }

    /// A group is the container's health probe when its command is the health check's at both ends of
    /// the group (a health check cannot change without recreating the container, so in between too).
    /// Anything else, including a container with no snapshot, is read event by event and judged by the
    /// matcher as before.
    static func isProbeCommand(_ group: ExecCommandGroup, snapshots: [String: SnapshotHistory]) -> Bool {
        guard let history = snapshots[group.containerID] else { return false }
        return [group.firstNs, group.lastNs].allSatisfy { history.isHealthCheck(group.command, at: $0) }
    }

    static func histories(_ snapshots: [String: [SnapshotRow]]) -> [String: SnapshotHistory] {
        var histories: [String: SnapshotHistory] = [:]
        for (id, rows) in snapshots {
            var previous: ContainerSnapshot?
            var entries: [SnapshotEntry] = []
            for row in rows {
                guard let snapshot = row.snapshot else { continue }
                let changes = previous.map { snapshot.configChanges(from: $0).map(\.description) } ?? []
                entries.append(SnapshotEntry(takenNs: row.takenNs, triggerNs: row.triggerNs, reason: row.reason,
                                             state: Self.state(snapshot, takenNs: row.takenNs), configChangesFromPrevious: changes))
                previous = snapshot
            }
            histories[id] = SnapshotHistory(entries)
        }
        return histories
    }

    private static func source(_ s: EventSource) -> MatcherEvent.Source {
        switch s {
        case .stream: return .stream
        case .ingest: return .ingest
        case .reconciliation: return .reconciliation
        }
    }

    static func state(_ s: ContainerSnapshot, takenNs: Int64) -> ContainerState {
        ContainerState(containerID: s.id, takenNs: takenNs, name: s.name, imageID: s.imageID, imageRef: s.imageRef,
                       startedAtNs: s.startedAtTimestamp?.nanoseconds, running: s.running, healthcheckTest: s.healthcheck?.test,
                       shell: s.shell, labels: s.labels, restartPolicy: s.restartPolicy, user: s.user)
    }
}
