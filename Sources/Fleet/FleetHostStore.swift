import AuditStore
import AuditSupport
import Deployments
import DockerAPI
import Findings
import PostgresNIO

/// One host's rows in the fleet's PostgreSQL, read through the findings engine's store protocol: the
/// engine evaluates a fleet host exactly as it evaluates a host's own SQLite store. Every read is one
/// statement (the exec groups' events are read with their hours in one join), and blocks its thread
/// until PostgreSQL answers: run the engine on an `OwnThread`.
///
/// Deployment records read are this host's own (received by its collector, `origin` = its host id) and
/// the fleet's (posted to `audit serve`, origin ''); the matcher then keeps those whose `host` field is
/// empty or names this host.
public struct FleetHostStore: FindingsStore, Sendable {
    public let host: FleetHost
    let connection: FleetConnection

    init(host: FleetHost, connection: FleetConnection) {
        self.host = host
        self.connection = connection
    }

    /// `StoredEvent` columns, in the order `event(_:)` decodes them.
    static let eventColumns = "e.time_ns, e.type, e.action, e.detail, e.actor_id, e.attributes, e.extra, e.scope, e.source, e.project, e.service"

    static func event(_ row: PostgresRow) throws -> StoredEvent {
        let (time, type, action, detail, actor, attributes, extra, scope, source, project, service) = try row.decode(
            (Int64, String, String, String?, String, String, String?, String?, Int16, String?, String?).self)
        return StoredEvent(timeNano: time, type: type, action: action, detail: detail, actorID: actor, attributesJSON: attributes,
                           extraJSON: extra, scope: scope, source: EventSource(rawValue: Int64(source)) ?? .stream, project: project, service: service)
    }

    func read<T: Sendable>(_ query: PostgresQuery, _ map: @escaping @Sendable (PostgresRow) throws -> T) throws -> [T] {
        let connection = self.connection
        return try Blocking.wait {
            try await connection.run {
                var out: [T] = []
                for try await row in try await connection.connection.query(query, logger: connection.logger) { out.append(try map(row)) }
                return out
            }
        }
    }

    public func changes(fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        // The terms of the events_changes partial index (fleet migration 002), so the planner takes it.
        try read("""
            SELECT \(unescaped: Self.eventColumns) FROM events e
            WHERE e.host_id = \(host.hostID) AND e.time_ns BETWEEN \(fromNs) AND \(toNs)
              AND left(e.action, 5) <> 'exec_' AND e.action <> 'health_status' AND e.type IN ('container', 'image')
            ORDER BY e.time_ns, e.actor_id, e.action
            """, Self.event)
    }

    public func execCommandGroups(fromNs: Int64, toNs: Int64) throws -> [ExecCommandGroup] {
        try read("""
            SELECT container_id, command, sum(count)::bigint, min(first_ns), max(last_ns) FROM exec_commands
            WHERE host_id = \(host.hostID) AND hour BETWEEN \(fromNs / Self.hourNs) AND \(toNs / Self.hourNs)
              AND last_ns >= \(fromNs) AND first_ns <= \(toNs)
            GROUP BY container_id, command
            """) { row in
            let (container, command, count, first, last) = try row.decode((String, String, Int64, Int64, Int64).self)
            return ExecCommandGroup(containerID: container, actorRow: 0, command: command, count: Int(count), firstNs: first, lastNs: last)
        }
    }

    public func execStarts(of group: ExecCommandGroup, fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        // Hour by hour, within each hour's first and last run, so a command run at both ends of the window
        // does not read everything between. The window's bounds on e.time_ns itself, though implied, let
        // the planner leave out the other days' partitions (a bound taken from the join prunes only when
        // the statement runs, after every partition was planned: 2.9 ms a statement over 31 days).
        try read("""
            SELECT \(unescaped: Self.eventColumns) FROM exec_commands x
            JOIN events e ON e.host_id = x.host_id AND e.time_ns BETWEEN \(fromNs) AND \(toNs)
                 AND e.time_ns BETWEEN greatest(x.first_ns, \(fromNs)) AND least(x.last_ns, \(toNs))
                 AND e.actor_id = x.container_id AND e.type = 'container' AND e.action = 'exec_start' AND coalesce(e.detail, '') = x.command
            WHERE x.host_id = \(host.hostID) AND x.hour BETWEEN \(fromNs / Self.hourNs) AND \(toNs / Self.hourNs)
              AND x.container_id = \(group.containerID) AND x.command = \(group.command)
            ORDER BY e.time_ns, e.actor_id, e.action
            """, Self.event)
    }

    public func interactiveExecStarts(fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        let delay = Self.inspectionDelayNs
        let until = toNs.addingReportingOverflow(delay)
        // The exec id matched as text in the event's extra attributes (the decoder writes them as compact
        // JSON, `"execID":"…"`): no row is parsed, and one extra that is not JSON cannot fail the report.
        // The window's own bounds on e.time_ns prune the day partitions at planning, as in execStarts.
        return try read("""
            SELECT \(unescaped: Self.eventColumns) FROM exec_sessions s
            JOIN events e ON e.host_id = s.host_id AND e.time_ns BETWEEN \(fromNs) AND \(toNs)
                 AND e.time_ns BETWEEN greatest(\(fromNs), s.inspected_ns - \(delay)) AND least(\(toNs), s.inspected_ns)
                 AND e.actor_id = s.container_id AND e.action = 'exec_start' AND e.extra IS NOT NULL
                 AND position('"execID":"' || s.exec_id || '"' in e.extra) > 0
            WHERE s.host_id = \(host.hostID) AND (s.tty OR s.privileged)
              AND s.inspected_ns BETWEEN \(fromNs) AND \(until.overflow ? Int64.max : until.partialValue)
            """, Self.event)
    }

    public func snapshots(containerIDs: Set<String>) throws -> [String: [SnapshotRow]] {
        guard !containerIDs.isEmpty else { return [:] }
        let rows = try read("""
            SELECT container_id, taken_ns, trigger_ns, reason, config FROM snapshots
            WHERE host_id = \(host.hostID) AND container_id = ANY(\(Array(containerIDs))) ORDER BY id
            """) { row in
            let (id, taken, trigger, reason, config) = try row.decode((String, Int64, Int64?, String, String?).self)
            return (id, SnapshotRow(takenNs: taken, triggerNs: trigger, reason: reason, snapshot: config.flatMap(ContainerSnapshot.decode(json:))))
        }
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map(\.1) }
    }

    public func execs(ids: Set<String>) throws -> [String: ExecRow] {
        guard !ids.isEmpty else { return [:] }
        let rows = try read("""
            SELECT exec_id, "user", privileged, tty, entrypoint, arguments FROM exec_sessions
            WHERE host_id = \(host.hostID) AND exec_id = ANY(\(Array(ids)))
            """) { row in
            let (id, user, privileged, tty, entrypoint, arguments) = try row.decode((String, String?, Bool?, Bool?, String?, String?).self)
            return ExecRow(execID: id, user: user, privileged: privileged ?? false, tty: tty ?? false, entrypoint: entrypoint,
                           arguments: arguments.flatMap { try? FlatJSON.stringArray($0) } ?? [])
        }
        return Dictionary(rows.map { ($0.execID, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A deployment id received both by the host's collector and by `audit serve` (CI posting to both)
    /// is one deployment: its two records are merged into one, so it is neither counted nor listed twice.
    /// Both are read when either overlaps the window: the in-progress one may, the finished one not.
    public func deployments(fromNs: Int64, toNs: Int64) throws -> [DeploymentRecord] {
        // Over all time (the reconciliation's read) only the records that can apply to this host: the
        // fleet's history of every host's pipeline runs, read again for each host, would grow without end.
        // Within a window the others are read too, for the reason a change is not theirs.
        let everything = fromNs == .min
        let rows = try read("""
            SELECT origin, id, record, received_ns, updated_ns FROM deployments
            WHERE origin IN (\(host.hostID), '') AND id IN (
                SELECT id FROM deployments
                WHERE origin IN (\(host.hostID), '') AND started_ns <= \(toNs) AND coalesce(finished_ns, \(Int64.max)) >= \(fromNs)
                  AND (NOT \(everything) OR origin = \(host.hostID) OR host IS NULL OR host = \(host.name)))
            ORDER BY started_ns, origin, id
            """) { row in try row.decode((String, String, String, Int64, Int64).self) }
        var records: [StoredDeployment] = []
        var indexByID: [String: Int] = [:]
        for (origin, id, json, received, updated) in rows {
            var record: DeploymentRecord
            do {
                record = try DeploymentRecord.parseWire(Array(json.utf8), defaultSource: .webhook)
            } catch {
                throw FleetError(.server, "the fleet's deployment \(id) (origin \(origin.isEmpty ? "audit serve" : origin)) cannot be read: \(error)")
            }
            record.receivedAt = Timestamp(nanoseconds: received)
            let stored = StoredDeployment(record: record, updatedNs: updated)
            if let index = indexByID[id] {
                records[index] = records[index].merged(with: stored)
            } else {
                indexByID[id] = records.count
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
        let rows = try read("""
            SELECT id, project, service, container_id, container_name, field, kind, severity, expected, actual, first_seen_ns, last_seen_ns, resolved_ns
            FROM drift_findings
            WHERE host_id = \(host.hostID) AND first_seen_ns <= \(toNs) AND coalesce(resolved_ns, \(Int64.max)) >= \(fromNs)
            ORDER BY first_seen_ns
            """) { row in
            try row.decode((String, String, String, String?, String?, String, String, String, String?, String?, Int64, Int64, Int64?).self)
        }
        return try rows.map { id, project, service, containerID, containerName, field, kind, severity, expected, actual, first, last, resolved in
            guard let kind = FindingKind(rawValue: kind), let severity = Severity(rawValue: severity) else {
                throw FleetError(.server, "the fleet's drift finding \(id) of host \(host.name) has an unknown kind \"\(kind)\" or severity \"\(severity)\"")
            }
            return StoredDriftFinding(
                id: id, project: project,
                observation: DriftObservation(service: service, containerID: containerID, containerName: containerName, field: field,
                                              kind: kind, severity: severity, expected: expected, actual: actual),
                firstSeenNs: first, lastSeenNs: last, resolvedNs: resolved)
        }
    }

    /// The host's own acknowledgements and the fleet's (`audit ack --db postgresql://…`).
    public func acks() throws -> [StoredAck] {
        try read("""
            SELECT finding_id, by, reason, at_ns, expires_ns FROM acks WHERE host_id IN (\(host.hostID), '') ORDER BY at_ns
            """) { row in
            let (finding, by, reason, at, expires) = try row.decode((String, String, String, Int64, Int64?).self)
            return StoredAck(findingID: finding, by: by, reason: reason, atNs: at, expiresNs: expires)
        }
    }

    /// What the host forwarded of its watching. An interval still open in PostgreSQL ends at the last
    /// heartbeat forwarded: a host that stopped forwarding is blind from there, not quiet.
    public func coverage(fromNs: Int64, toNs: Int64) throws -> [CoverageInterval] {
        try read("""
            SELECT started_ns, coalesce(ended_ns, last_seen_ns), ended_ns IS NULL FROM coverage
            WHERE host_id = \(host.hostID) AND started_ns <= \(toNs) AND coalesce(ended_ns, last_seen_ns) >= \(fromNs)
            ORDER BY started_ns
            """) { row in
            let (started, end, open) = try row.decode((Int64, Int64, Bool).self)
            return CoverageInterval(startedNs: max(started, fromNs), endNs: min(end, toNs), open: open)
        }
    }

    public func gaps(fromNs: Int64, toNs: Int64) throws -> [StoredGap] {
        try read("""
            SELECT docker_host, from_ns, to_ns, cause, replayed, changes_found FROM gaps
            WHERE host_id = \(host.hostID) AND to_ns >= \(fromNs) AND from_ns <= \(toNs) ORDER BY from_ns
            """) { row in
            let (dockerHost, from, to, cause, replayed, found) = try row.decode((String, Int64, Int64, String, Int64, Int64?).self)
            return StoredGap(dockerHost: dockerHost, fromNs: from, toNs: to, cause: cause, replayed: Int(replayed), changesFound: found.map(Int.init))
        }
    }

    /// Read from `latest_snapshots`, which a trigger keeps at each container's newest snapshot with its
    /// config's fields already taken out (fleet migration 002).
    public func runningComposeContainers() throws -> [RunningComposeContainer] {
        try read("""
            SELECT container_id, name, project, service, created FROM latest_snapshots
            WHERE host_id = \(host.hostID) AND running AND project IS NOT NULL
            """) { row in
            let (id, name, project, service, created) = try row.decode((String, String?, String, String?, String?).self)
            let shown = name ?? String(id.prefix(12))
            return RunningComposeContainer(id: id, name: shown.hasPrefix("/") ? String(shown.dropFirst()) : shown, project: project,
                                           service: service, created: created)
        }
    }

    /// Read from `compose_creates`, which a trigger fills as the creates arrive and the fleet's retention
    /// leaves alone (fleet migration 002): a container created before the oldest day kept is still known.
    public func composeContainerCreates() throws -> [StoredEvent] {
        try read("""
            SELECT \(unescaped: Self.eventColumns) FROM compose_creates e
            WHERE e.host_id = \(host.hostID)
            ORDER BY e.time_ns, e.actor_id, e.action
            """, Self.event)
    }

    /// What the fleet's retention dropped: the day partitions before the oldest one left.
    public func retentionHorizons() throws -> RetentionHorizons {
        RetentionHorizons(eventsBeforeNs: host.eventsBeforeNs)
    }

    static let hourNs: Int64 = 3_600_000_000_000
    /// How long after its exec_start an exec may have been inspected, as on a host.
    static let inspectionDelayNs: Int64 = 10 * 60 * 1_000_000_000
}
