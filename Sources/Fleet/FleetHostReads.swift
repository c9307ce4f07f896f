import AuditStore
import AuditSupport
import DockerAPI
import Findings
import PostgresNIO

/// The statements behind a fleet host's `FindingsStore` reads, each written once for any number of
/// hosts: `FleetHostStore` runs them for its one host, `FleetHostRows` for a batch of hosts ahead of
/// their engines (one statement a read instead of one a read and host: a 24 h report of 100 hosts made
/// about 1,500 statements, now about 120).
///
/// A batch's rows come back in each host's order (ties broken by the host's own row ids, as its store
/// keeps them), not grouped by host: `FleetRead.byHost` groups them keeping that order, and PostgreSQL sorts on times and numbers instead of comparing host ids in the
/// database's collation (the creates of 13 hosts: 20.7 ms sorted on host_id first, 16.7 without).
enum FleetHostReads {
    /// `StoredEvent` columns after the host id, in the order `event(_:)` decodes them.
    static let eventColumns = "e.host_id, e.time_ns, e.type, e.action, e.detail, e.actor_id, e.attributes, e.extra, e.scope, e.source, e.project, e.service"

    @Sendable static func event(_ row: PostgresRow) throws -> (hostID: String, value: StoredEvent) {
        let (host, time, type, action, detail, actor, attributes, extra, scope, source, project, service) = try row.decode(
            (String, Int64, String, String, String?, String, String, String?, String?, Int16, String?, String?).self)
        return (host, StoredEvent(timeNano: time, type: type, action: action, detail: detail, actorID: actor, attributesJSON: attributes,
                                  extraJSON: extra, scope: scope, source: EventSource(rawValue: Int64(source)) ?? .stream, project: project,
                                  service: service))
    }

    static func changes(_ hostIDs: [String], _ window: FindingsReads.Window) -> FleetRead<StoredEvent> {
        // The terms of the events_changes partial index (fleet migration 002), so the planner takes it.
        FleetRead(query: """
            SELECT \(unescaped: eventColumns) FROM events e
            WHERE e.host_id = ANY(\(hostIDs)) AND e.time_ns BETWEEN \(window.fromNs) AND \(window.toNs)
              AND left(e.action, 5) <> 'exec_' AND e.action <> 'health_status' AND e.type IN ('container', 'image')
            ORDER BY e.time_ns, e.actor_id, e.action
            """, row: event)
    }

    static func execCommandGroups(_ hostIDs: [String], _ window: FindingsReads.Window) -> FleetRead<ExecCommandGroup> {
        // Grouped byte by byte (equality is the same in every deterministic collation): a hash of C
        // strings instead of a sort in the database's collation, 24 ms instead of 34-40 for 25 hosts' day.
        FleetRead(query: """
            SELECT host_id COLLATE "C", container_id COLLATE "C", command COLLATE "C", sum(count)::bigint, min(first_ns), max(last_ns)
            FROM exec_commands
            WHERE host_id = ANY(\(hostIDs)) AND hour BETWEEN \(window.fromNs / hourNs) AND \(window.toNs / hourNs)
              AND last_ns >= \(window.fromNs) AND first_ns <= \(window.toNs)
            GROUP BY 1, 2, 3
            """) { row in
            let (host, container, command, count, first, last) = try row.decode((String, String, String, Int64, Int64, Int64).self)
            return (host, ExecCommandGroup(containerID: container, actorRow: 0, command: command, count: Int(count), firstNs: first, lastNs: last))
        }
    }

    static func interactiveExecStarts(_ hostIDs: [String], _ window: FindingsReads.Window) -> FleetRead<StoredEvent> {
        let (fromNs, toNs) = (window.fromNs, window.toNs)
        let until = toNs.addingReportingOverflow(inspectionDelayNs)
        // The exec id matched as text in the event's extra attributes (the decoder writes them as compact
        // JSON, `"execID":"…"`): no row is parsed, and one extra that is not JSON cannot fail the report.
        // The window's own bounds on e.time_ns prune the day partitions at planning (a bound taken from
        // the join prunes only when the statement runs, after every partition was planned).
        return FleetRead(query: """
            SELECT \(unescaped: eventColumns) FROM exec_sessions s
            JOIN events e ON e.host_id = s.host_id AND e.time_ns BETWEEN \(fromNs) AND \(toNs)
                 AND e.time_ns BETWEEN greatest(\(fromNs), s.inspected_ns - \(inspectionDelayNs)) AND least(\(toNs), s.inspected_ns)
                 AND e.actor_id = s.container_id AND e.action = 'exec_start' AND e.extra IS NOT NULL
                 AND position('"execID":"' || s.exec_id || '"' in e.extra) > 0
            WHERE s.host_id = ANY(\(hostIDs)) AND (s.tty OR s.privileged)
              AND s.inspected_ns BETWEEN \(fromNs) AND \(until.overflow ? Int64.max : until.partialValue)
            """, row: event)
    }

    /// An exec group of one host: its container and command line.
    struct ExecGroupKey: Hashable, Sendable {
        var containerID: String
        var command: String
    }

    /// The exec_start events of each (host, group), each group's found again from its event (the event's
    /// command is the group's). Hour by hour, within each hour's first and last run, so a command run at
    /// both ends of the window does not read everything between. The window's bounds on e.time_ns
    /// itself, though implied, let the planner leave out the other days' partitions (a bound taken from
    /// the join prunes only when the statement runs, after every partition was planned: 2.9 ms a
    /// statement over 31 days).
    static func execStarts(_ groups: [(hostID: String, group: ExecGroupKey)], _ window: FindingsReads.Window) -> FleetRead<StoredEvent> {
        let (fromNs, toNs) = (window.fromNs, window.toNs)
        return FleetRead(query: """
            SELECT \(unescaped: eventColumns)
            FROM unnest(\(groups.map(\.hostID))::text[], \(groups.map(\.group.containerID))::text[], \(groups.map(\.group.command))::text[])
                 AS g(host_id, container_id, command)
            JOIN exec_commands x ON x.host_id = g.host_id AND x.container_id = g.container_id AND x.command = g.command
                 AND x.hour BETWEEN \(fromNs / hourNs) AND \(toNs / hourNs)
            JOIN events e ON e.host_id = x.host_id AND e.time_ns BETWEEN \(fromNs) AND \(toNs)
                 AND e.time_ns BETWEEN greatest(x.first_ns, \(fromNs)) AND least(x.last_ns, \(toNs))
                 AND e.actor_id = x.container_id AND e.type = 'container' AND e.action = 'exec_start' AND coalesce(e.detail, '') = x.command
            ORDER BY e.time_ns, e.actor_id, e.action
            """, row: event)
    }

    /// What each (host, exec id)'s inspection said.
    static func execs(_ pairs: [(hostID: String, execID: String)]) -> FleetRead<ExecRow> {
        FleetRead(query: """
            SELECT s.host_id, s.exec_id, s."user", s.privileged, s.tty, s.entrypoint, s.arguments
            FROM unnest(\(pairs.map(\.hostID))::text[], \(pairs.map(\.execID))::text[]) AS k(host_id, exec_id)
            JOIN exec_sessions s ON s.host_id = k.host_id AND s.exec_id = k.exec_id
            """) { row in
            let (host, id, user, privileged, tty, entrypoint, arguments) = try row.decode((String, String, String?, Bool?, Bool?, String?, String?).self)
            return (host, ExecRow(execID: id, user: user, privileged: privileged ?? false, tty: tty ?? false, entrypoint: entrypoint,
                                  arguments: arguments.flatMap { try? FlatJSON.stringArray($0) } ?? []))
        }
    }

    /// Every snapshot of each (host, container) pair, oldest first.
    static func snapshots(_ pairs: [(hostID: String, containerID: String)]) -> FleetRead<(containerID: String, row: SnapshotRow)> {
        FleetRead(query: """
            SELECT s.host_id, s.container_id, s.taken_ns, s.trigger_ns, s.reason, s.config
            FROM unnest(\(pairs.map(\.hostID))::text[], \(pairs.map(\.containerID))::text[]) AS k(host_id, container_id)
            JOIN snapshots s ON s.host_id = k.host_id AND s.container_id = k.container_id
            ORDER BY s.id
            """) { row in
            let (host, id, taken, trigger, reason, config) = try row.decode((String, String, Int64, Int64?, String, String?).self)
            return (host, (id, SnapshotRow(takenNs: taken, triggerNs: trigger, reason: reason, snapshot: config.flatMap(ContainerSnapshot.decode(json:)))))
        }
    }

    /// One origin's stored record of a deployment, as `FleetHostStore.records(_:host:)` merges them.
    struct DeploymentRow: Sendable {
        var origin: String
        var id: String
        var json: String
        var receivedNs: Int64
        var updatedNs: Int64
    }

    /// Each host's own records (received by its collector, origin = its host id) and the fleet's (posted
    /// to `audit serve`, origin ''), both origins of an id when either overlaps the window: the
    /// in-progress one may, the finished one not. Over all time (the reconciliation's read) only the
    /// records that can apply to the host: the fleet's history of every host's pipeline runs, read again
    /// for each host, would grow without end. Within a window the others are read too, for the reason a
    /// change is not theirs.
    static func deployments(_ hosts: [FleetHost], _ window: FindingsReads.Window) -> FleetRead<DeploymentRow> {
        let everything = window.fromNs == .min
        return FleetRead(query: """
            WITH h AS (SELECT * FROM unnest(\(hosts.map(\.hostID))::text[], \(hosts.map(\.name))::text[]) AS h(host_id, name)),
            hit AS (
                SELECT DISTINCT h.host_id, x.id FROM h JOIN deployments x ON x.origin IN (h.host_id, '')
                WHERE x.started_ns <= \(window.toNs) AND coalesce(x.finished_ns, \(Int64.max)) >= \(window.fromNs)
                  AND (NOT \(everything) OR x.origin = h.host_id OR x.host IS NULL OR x.host = h.name))
            SELECT hit.host_id, d.origin, d.id, d.record, d.received_ns, d.updated_ns
            FROM hit JOIN deployments d ON d.id = hit.id AND d.origin IN (hit.host_id, '')
            ORDER BY d.started_ns, d.origin, d.id
            """) { row in
            let (host, origin, id, json, received, updated) = try row.decode((String, String, String, String, Int64, Int64).self)
            return (host, DeploymentRow(origin: origin, id: id, json: json, receivedNs: received, updatedNs: updated))
        }
    }

    /// A drift finding as stored, its kind and severity still text (`FleetHostStore.driftFinding` checks them).
    typealias DriftRow = (id: String, project: String, service: String, containerID: String?, containerName: String?, field: String,
                          kind: String, severity: String, expected: String?, actual: String?, firstNs: Int64, lastNs: Int64, resolvedNs: Int64?)

    static func driftFindings(_ hostIDs: [String], _ window: FindingsReads.Window) -> FleetRead<DriftRow> {
        FleetRead(query: """
            SELECT host_id, id, project, service, container_id, container_name, field, kind, severity, expected, actual, first_seen_ns, last_seen_ns, resolved_ns
            FROM drift_findings
            WHERE host_id = ANY(\(hostIDs)) AND first_seen_ns <= \(window.toNs) AND coalesce(resolved_ns, \(Int64.max)) >= \(window.fromNs)
            ORDER BY first_seen_ns, id
            """) { row in
            let (host, id, project, service, containerID, containerName, field, kind, severity, expected, actual, first, last, resolved) = try row.decode(
                (String, String, String, String, String?, String?, String, String, String, String?, String?, Int64, Int64, Int64?).self)
            return (host, (id, project, service, containerID, containerName, field, kind, severity, expected, actual, first, last, resolved))
        }
    }

    /// The hosts' own acknowledgements and the fleet's (`audit ack --db postgresql://…`, host id ''),
    /// oldest first: a fleet-wide one comes back once, under host id ''.
    static func acks(_ hostIDs: [String]) -> FleetRead<StoredAck> {
        FleetRead(query: """
            SELECT host_id, finding_id, by, reason, at_ns, expires_ns FROM acks WHERE host_id = ANY(\(hostIDs + [""])) ORDER BY at_ns, host_id, id
            """) { row in
            let (host, finding, by, reason, at, expires) = try row.decode((String, String, String, String, Int64, Int64?).self)
            return (host, StoredAck(findingID: finding, by: by, reason: reason, atNs: at, expiresNs: expires))
        }
    }

    /// What each host forwarded of its watching, clipped to the window. An interval still open in
    /// PostgreSQL ends at the last heartbeat forwarded: a host that stopped forwarding is blind from
    /// there, not quiet.
    static func coverage(_ hostIDs: [String], _ window: FindingsReads.Window) -> FleetRead<CoverageInterval> {
        let (fromNs, toNs) = (window.fromNs, window.toNs)
        return FleetRead(query: """
            SELECT host_id, started_ns, coalesce(ended_ns, last_seen_ns), ended_ns IS NULL FROM coverage
            WHERE host_id = ANY(\(hostIDs)) AND started_ns <= \(toNs) AND coalesce(ended_ns, last_seen_ns) >= \(fromNs)
            ORDER BY started_ns, id
            """) { row in
            let (host, started, end, open) = try row.decode((String, Int64, Int64, Bool).self)
            return (host, CoverageInterval(startedNs: max(started, fromNs), endNs: min(end, toNs), open: open))
        }
    }

    static func gaps(_ hostIDs: [String], _ window: FindingsReads.Window) -> FleetRead<StoredGap> {
        FleetRead(query: """
            SELECT host_id, docker_host, from_ns, to_ns, cause, replayed, changes_found FROM gaps
            WHERE host_id = ANY(\(hostIDs)) AND to_ns >= \(window.fromNs) AND from_ns <= \(window.toNs) ORDER BY from_ns, id
            """) { row in
            let (host, dockerHost, from, to, cause, replayed, found) = try row.decode((String, String, Int64, Int64, String, Int64, Int64?).self)
            return (host, StoredGap(dockerHost: dockerHost, fromNs: from, toNs: to, cause: cause, replayed: Int(replayed), changesFound: found.map(Int.init)))
        }
    }

    /// From `latest_snapshots`, which a trigger keeps at each container's newest snapshot with its
    /// config's fields already taken out (fleet migration 002).
    static func runningComposeContainers(_ hostIDs: [String]) -> FleetRead<RunningComposeContainer> {
        FleetRead(query: """
            SELECT host_id, container_id, name, project, service, created FROM latest_snapshots
            WHERE host_id = ANY(\(hostIDs)) AND running AND project IS NOT NULL
            """) { row in
            let (host, id, name, project, service, created) = try row.decode((String, String, String?, String, String?, String?).self)
            let shown = name ?? String(id.prefix(12))
            return (host, RunningComposeContainer(id: id, name: shown.hasPrefix("/") ? String(shown.dropFirst()) : shown, project: project,
                                                  service: service, created: created))
        }
    }

    /// From `compose_creates`, which a trigger fills as the creates arrive and the fleet's retention
    /// leaves alone (fleet migration 002): a container created before the oldest day kept is still known.
    static func composeContainerCreates(_ hostIDs: [String]) -> FleetRead<StoredEvent> {
        FleetRead(query: """
            SELECT \(unescaped: eventColumns) FROM compose_creates e
            WHERE e.host_id = ANY(\(hostIDs))
            ORDER BY e.time_ns, e.actor_id, e.action
            """, row: event)
    }

    static let hourNs: Int64 = 3_600_000_000_000
    /// How long after its exec_start an exec may have been inspected, as on a host.
    static let inspectionDelayNs: Int64 = 10 * 60 * 1_000_000_000
}
