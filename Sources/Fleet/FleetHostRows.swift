import AuditStore
import Deployments
import Findings

/// What the findings engine will ask of one host for a query, read ahead for a batch of hosts with one
/// statement a read (`FleetHostReads`): host by host, a 24 h report of 100 hosts made about 1,500
/// statements, each planned and waited for while the host's engine stood still. `FleetHostStore` answers
/// from these rows when the engine asks for the windows (and the exec groups, the exec ids) they were
/// read for, and reads PostgreSQL otherwise.
struct FleetHostRows: Sendable {
    var reads: FindingsReads
    var changes: [StoredEvent] = []
    var execGroups: [ExecCommandGroup] = []
    var interactiveExecStarts: [StoredEvent] = []
    /// The containers whose snapshots were read (`FindingsReads.snapshotContainers`), and those snapshots.
    var snapshotContainers: Set<String> = []
    var snapshots: [String: [SnapshotRow]] = [:]
    /// The events of each exec group the engine reads one by one (`FindingsReads.execGroupsRead`).
    var execStarts: [FleetHostReads.ExecGroupKey: [StoredEvent]] = [:]
    /// The exec ids whose inspections were read (`FindingsReads.execIDs`), and those found.
    var execIDs: Set<String> = []
    var execs: [String: ExecRow] = [:]
    var deployments: [DeploymentRecord] = []
    var everyDeployment: [DeploymentRecord] = []
    var driftFindings: [StoredDriftFinding] = []
    var acks: [StoredAck] = []
    var coverage: [CoverageInterval] = []
    var gaps: [StoredGap] = []
    var running: [RunningComposeContainer] = []
    var creates: [StoredEvent] = []

    init(reads: FindingsReads) {
        self.reads = reads
    }

    /// Every host's rows, one statement a read, one after the other on `connection`.
    static func read(_ hosts: [FleetHost], _ reads: FindingsReads, on connection: FleetConnection) async throws -> [String: FleetHostRows] {
        let ids = hosts.map(\.hostID)
        var rows = Dictionary(ids.map { ($0, FleetHostRows(reads: reads)) }, uniquingKeysWith: { first, _ in first })
        func fill<T>(_ read: FleetRead<T>, _ field: WritableKeyPath<FleetHostRows, [T]>) async throws {
            for (hostID, values) in try await read.byHost(on: connection) { rows[hostID]?[keyPath: field] = values }
        }
        try await fill(FleetHostReads.changes(ids, reads.events), \.changes)
        try await fill(FleetHostReads.execCommandGroups(ids, reads.events), \.execGroups)
        try await fill(FleetHostReads.interactiveExecStarts(ids, reads.events), \.interactiveExecStarts)
        try await fill(FleetHostReads.coverage(ids, reads.window), \.coverage)
        try await fill(FleetHostReads.gaps(ids, reads.gaps), \.gaps)
        try await fill(FleetHostReads.runningComposeContainers(ids), \.running)
        try await fill(FleetHostReads.composeContainerCreates(ids), \.creates)

        var pairs: [(hostID: String, containerID: String)] = []
        for id in ids {
            guard let host = rows[id] else { continue }
            let containers = FindingsReads.snapshotContainers(changes: host.changes, execGroups: host.execGroups)
            rows[id]?.snapshotContainers = containers
            pairs += containers.map { (id, $0) }
        }
        if !pairs.isEmpty {
            for (hostID, snapshots) in try await FleetHostReads.snapshots(pairs).byHost(on: connection) {
                rows[hostID]?.snapshots = Dictionary(grouping: snapshots, by: \.containerID).mapValues { $0.map(\.row) }
            }
        }

        // The exec groups that are not a container's health probe, read event by event; then the
        // inspections of every exec those events and the interactive ones name.
        var groups: [(hostID: String, group: FleetHostReads.ExecGroupKey)] = []
        for id in ids {
            guard let host = rows[id] else { continue }
            let keys = FindingsReads.execGroupsRead(host.execGroups, snapshots: host.snapshots)
                .map { FleetHostReads.ExecGroupKey(containerID: $0.containerID, command: $0.command) }
            rows[id]?.execStarts = Dictionary(keys.map { ($0, []) }, uniquingKeysWith: { a, _ in a })
            groups += keys.map { (id, $0) }
        }
        if !groups.isEmpty {
            for (hostID, event) in try await FleetHostReads.execStarts(groups, reads.events).rows(on: connection) {
                rows[hostID]?.execStarts[FleetHostReads.ExecGroupKey(containerID: event.actorID, command: event.detail ?? "")]?.append(event)
            }
        }
        var execs: [(hostID: String, execID: String)] = []
        for id in ids {
            guard let host = rows[id] else { continue }
            let execIDs = FindingsReads.execIDs(host.interactiveExecStarts + host.execStarts.values.joined())
            rows[id]?.execIDs = execIDs
            execs += execIDs.map { (id, $0) }
        }
        if !execs.isEmpty {
            for (hostID, exec) in try await FleetHostReads.execs(execs).rows(on: connection) { rows[hostID]?.execs[exec.execID] = exec }
        }

        let window = try await FleetHostReads.deployments(hosts, reads.deployments).byHost(on: connection)
        let every = try await FleetHostReads.deployments(hosts, reads.everyDeployment).byHost(on: connection)
        let drift = try await FleetHostReads.driftFindings(ids, reads.window).byHost(on: connection)
        // A fleet-wide acknowledgement (host id '') belongs to every host, in the order of the others.
        let acks = try await FleetHostReads.acks(ids).rows(on: connection)
        for host in hosts {
            rows[host.hostID]?.deployments = try FleetHostStore.records(window[host.hostID] ?? [])
            rows[host.hostID]?.everyDeployment = try FleetHostStore.records(every[host.hostID] ?? [])
            rows[host.hostID]?.driftFindings = try (drift[host.hostID] ?? []).map { try FleetHostStore.driftFinding($0, host: host) }
            rows[host.hostID]?.acks = acks.filter { $0.hostID == host.hostID || $0.hostID.isEmpty }.map(\.value)
        }
        return rows
    }
}
