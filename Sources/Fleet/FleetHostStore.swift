import AuditStore
import AuditSupport
import Deployments
import DockerAPI
import Findings
import PostgresNIO

/// One host's rows in the fleet's PostgreSQL, read through the findings engine's store protocol: the
/// engine evaluates a fleet host exactly as it evaluates a host's own SQLite store. A read the host's
/// `FleetHostRows` (read ahead with a batch of hosts) holds for the same window is answered from them;
/// any other read is one statement (`FleetHostReads`) that blocks its thread until PostgreSQL answers:
/// run the engine on an `OwnThread`.
///
/// Deployment records read are this host's own (received by its collector, `origin` = its host id) and
/// the fleet's (posted to `audit serve`, origin ''); the matcher then keeps those whose `host` field is
/// empty or names this host.
public struct FleetHostStore: FindingsStore, Sendable {
    public let host: FleetHost
    let connection: FleetConnection
    let readAhead: FleetHostRows?

    init(host: FleetHost, connection: FleetConnection, readAhead: FleetHostRows? = nil) {
        self.host = host
        self.connection = connection
        self.readAhead = readAhead
    }

    /// The rows read ahead, when they were read for the window asked.
    private func ahead(_ window: KeyPath<FindingsReads, FindingsReads.Window>, _ fromNs: Int64, _ toNs: Int64) -> FleetHostRows? {
        guard let readAhead, readAhead.reads[keyPath: window] == FindingsReads.Window(fromNs: fromNs, toNs: toNs) else { return nil }
        return readAhead
    }

    private var only: [String] { [host.hostID] }
    private func window(_ fromNs: Int64, _ toNs: Int64) -> FindingsReads.Window { FindingsReads.Window(fromNs: fromNs, toNs: toNs) }

    public func changes(fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        try ahead(\.events, fromNs, toNs)?.changes ?? FleetHostReads.changes(only, window(fromNs, toNs)).values(on: connection)
    }

    public func execCommandGroups(fromNs: Int64, toNs: Int64) throws -> [ExecCommandGroup] {
        try ahead(\.events, fromNs, toNs)?.execGroups ?? FleetHostReads.execCommandGroups(only, window(fromNs, toNs)).values(on: connection)
    }

    public func execStarts(of group: ExecCommandGroup, fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        let key = FleetHostReads.ExecGroupKey(containerID: group.containerID, command: group.command)
        if let read = ahead(\.events, fromNs, toNs)?.execStarts[key] { return read }
        return try FleetHostReads.execStarts([(host.hostID, key)], window(fromNs, toNs)).values(on: connection)
    }

    public func interactiveExecStarts(fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        try ahead(\.events, fromNs, toNs)?.interactiveExecStarts
            ?? FleetHostReads.interactiveExecStarts(only, window(fromNs, toNs)).values(on: connection)
    }

    public func snapshots(containerIDs: Set<String>) throws -> [String: [SnapshotRow]] {
        guard !containerIDs.isEmpty else { return [:] }
        if let readAhead, containerIDs.isSubset(of: readAhead.snapshotContainers) {
            return readAhead.snapshots.filter { containerIDs.contains($0.key) }
        }
        let rows = try FleetHostReads.snapshots(containerIDs.map { (host.hostID, $0) }).values(on: connection)
        return Dictionary(grouping: rows, by: \.containerID).mapValues { $0.map(\.row) }
    }

    public func execs(ids: Set<String>) throws -> [String: ExecRow] {
        guard !ids.isEmpty else { return [:] }
        if let readAhead, ids.isSubset(of: readAhead.execIDs) { return readAhead.execs.filter { ids.contains($0.key) } }
        let rows = try FleetHostReads.execs(ids.map { (host.hostID, $0) }).values(on: connection)
        return Dictionary(rows.map { ($0.execID, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A deployment id received both by the host's collector and by `audit serve` (CI posting to both)
    /// is one deployment: its two records are merged into one, so it is neither counted nor listed twice.
    public func deployments(fromNs: Int64, toNs: Int64) throws -> [DeploymentRecord] {
        if let records = ahead(\.deployments, fromNs, toNs)?.deployments ?? ahead(\.everyDeployment, fromNs, toNs)?.everyDeployment {
            return records
        }
        return try Self.records(FleetHostReads.deployments([host], window(fromNs, toNs)).values(on: connection))
    }

    /// One host's stored deployment rows as records, the two origins of one id merged.
    static func records(_ rows: [FleetHostReads.DeploymentRow]) throws -> [DeploymentRecord] {
        var records: [StoredDeployment] = []
        var indexByID: [String: Int] = [:]
        for row in rows {
            var record: DeploymentRecord
            do {
                record = try DeploymentRecord.parseWire(Array(row.json.utf8), defaultSource: .webhook)
            } catch {
                throw FleetError(.server, "the fleet's deployment \(row.id) (origin \(row.origin.isEmpty ? "audit serve" : row.origin)) cannot be read: \(error)")
            }
            record.receivedAt = Timestamp(nanoseconds: row.receivedNs)
            let stored = StoredDeployment(record: record, updatedNs: row.updatedNs)
            if let index = indexByID[row.id] {
                records[index] = records[index].merged(with: stored)
            } else {
                indexByID[row.id] = records.count
                records.append(stored)
            }
        }
        return records.map(\.record)
    }

    /// One origin's record of a deployment, with when that origin last updated it.
    struct StoredDeployment {
        var record: DeploymentRecord
        var updatedNs: Int64

        /// The same deployment as stored under the other origin. The final record (if only one is) is the
        /// base that the other completes, else the one updated first; a merge the records refuse (they
        /// disagree on the window, the images…) keeps the final record, else the one updated last.
        func merged(with other: StoredDeployment) -> StoredDeployment {
            let (base, newer): (StoredDeployment, StoredDeployment)
            if record.status.isFinal != other.record.status.isFinal {
                (base, newer) = record.status.isFinal ? (self, other) : (other, self)
            } else {
                (base, newer) = updatedNs <= other.updatedNs ? (self, other) : (other, self)
            }
            let updated = max(updatedNs, other.updatedNs)
            if var record = try? base.record.merged(with: newer.record) {
                record.receivedAt = [base.record.receivedAt, newer.record.receivedAt].compactMap { $0 }.min()
                return StoredDeployment(record: record, updatedNs: updated)
            }
            return record.status.isFinal != other.record.status.isFinal ? base : newer
        }
    }

    public func driftFindings(fromNs: Int64, toNs: Int64) throws -> [StoredDriftFinding] {
        if let found = ahead(\.window, fromNs, toNs)?.driftFindings { return found }
        return try FleetHostReads.driftFindings(only, window(fromNs, toNs)).values(on: connection).map { try Self.driftFinding($0, host: host) }
    }

    static func driftFinding(_ row: FleetHostReads.DriftRow, host: FleetHost) throws -> StoredDriftFinding {
        guard let kind = FindingKind(rawValue: row.kind), let severity = Severity(rawValue: row.severity) else {
            throw FleetError(.server, "the fleet's drift finding \(row.id) of host \(host.name) has an unknown kind \"\(row.kind)\" or severity \"\(row.severity)\"")
        }
        return StoredDriftFinding(
            id: row.id, project: row.project,
            observation: DriftObservation(service: row.service, containerID: row.containerID, containerName: row.containerName, field: row.field,
                                          kind: kind, severity: severity, expected: row.expected, actual: row.actual),
            firstSeenNs: row.firstNs, lastSeenNs: row.lastNs, resolvedNs: row.resolvedNs)
    }

    /// The host's own acknowledgements and the fleet's (`audit ack --db postgresql://…`).
    public func acks() throws -> [StoredAck] {
        try readAhead?.acks ?? FleetHostReads.acks(only).values(on: connection)
    }

    public func coverage(fromNs: Int64, toNs: Int64) throws -> [CoverageInterval] {
        try ahead(\.window, fromNs, toNs)?.coverage ?? FleetHostReads.coverage(only, window(fromNs, toNs)).values(on: connection)
    }

    public func gaps(fromNs: Int64, toNs: Int64) throws -> [StoredGap] {
        try ahead(\.gaps, fromNs, toNs)?.gaps ?? FleetHostReads.gaps(only, window(fromNs, toNs)).values(on: connection)
    }

    public func runningComposeContainers() throws -> [RunningComposeContainer] {
        try readAhead?.running ?? FleetHostReads.runningComposeContainers(only).values(on: connection)
    }

    public func composeContainerCreates() throws -> [StoredEvent] {
        try readAhead?.creates ?? FleetHostReads.composeContainerCreates(only).values(on: connection)
    }

    /// What the fleet's retention dropped: the day partitions before the oldest one left.
    public func retentionHorizons() throws -> RetentionHorizons {
        RetentionHorizons(eventsBeforeNs: host.eventsBeforeNs)
    }
}
