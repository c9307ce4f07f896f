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
            ORDER BY e.time_ns
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
        // does not read everything between.
        try read("""
            SELECT \(unescaped: Self.eventColumns) FROM exec_commands x
            JOIN events e ON e.host_id = x.host_id AND e.time_ns BETWEEN greatest(x.first_ns, \(fromNs)) AND least(x.last_ns, \(toNs))
                 AND e.actor_id = x.container_id AND e.type = 'container' AND e.action = 'exec_start' AND coalesce(e.detail, '') = x.command
            WHERE x.host_id = \(host.hostID) AND x.hour BETWEEN \(fromNs / Self.hourNs) AND \(toNs / Self.hourNs)
              AND x.container_id = \(group.containerID) AND x.command = \(group.command)
            ORDER BY e.time_ns
            """, Self.event)
    }

    public func interactiveExecStarts(fromNs: Int64, toNs: Int64) throws -> [StoredEvent] {
        let delay = Self.inspectionDelayNs
        let until = toNs.addingReportingOverflow(delay)
        return try read("""
            SELECT \(unescaped: Self.eventColumns) FROM exec_sessions s
            JOIN events e ON e.host_id = s.host_id
                 AND e.time_ns BETWEEN greatest(\(fromNs), s.inspected_ns - \(delay)) AND least(\(toNs), s.inspected_ns)
                 AND e.actor_id = s.container_id AND e.action = 'exec_start' AND e.extra IS NOT NULL
                 AND e.extra::jsonb ->> 'execID' = s.exec_id
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

    public func deployments(fromNs: Int64, toNs: Int64) throws -> [DeploymentRecord] {
        let rows = try read("""
            SELECT origin, id, record, received_ns FROM deployments
            WHERE origin IN (\(host.hostID), '') AND started_ns <= \(toNs) AND coalesce(finished_ns, \(Int64.max)) >= \(fromNs)
            ORDER BY started_ns, origin, id
            """) { row in try row.decode((String, String, String, Int64).self) }
        return try rows.map { origin, id, json, received in
            var record: DeploymentRecord
            do {
                record = try DeploymentRecord.parseWire(Array(json.utf8), defaultSource: .webhook)
            } catch {
                throw FleetError(.server, "the fleet's deployment \(id) (origin \(origin.isEmpty ? "audit serve" : origin)) cannot be read: \(error)")
            }
            record.receivedAt = Timestamp(nanoseconds: received)
            return record
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

    public func runningComposeContainers() throws -> [RunningComposeContainer] {
        try read("""
            SELECT container_id, config::jsonb ->> 'name', project, service, config::jsonb ->> 'created' FROM (
                SELECT DISTINCT ON (container_id) container_id, config, project, service FROM snapshots
                WHERE host_id = \(host.hostID) AND project IS NOT NULL ORDER BY container_id, id DESC) latest
            WHERE config IS NOT NULL AND config::jsonb ->> 'running' = 'true'
            """) { row in
            let (id, name, project, service, created) = try row.decode((String, String?, String, String?, String?).self)
            let shown = name ?? String(id.prefix(12))
            return RunningComposeContainer(id: id, name: shown.hasPrefix("/") ? String(shown.dropFirst()) : shown, project: project,
                                           service: service, created: created)
        }
    }

    public func composeContainerCreates() throws -> [StoredEvent] {
        // The terms of the events_creates partial index (fleet migration 002).
        try read("""
            SELECT \(unescaped: Self.eventColumns) FROM events e
            WHERE e.host_id = \(host.hostID) AND e.action = 'create' AND e.type = 'container' AND e.project IS NOT NULL
            ORDER BY e.time_ns
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
