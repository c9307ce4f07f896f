/// The reads that let `audit report` skip health probes without reading them: a window's changes
/// through the partial index of migration 004, and exec_start through its per-hour command summary.
extension StoreReader {
    /// Migration 004's partial-index predicate. SQLite uses a partial index only for a query that
    /// repeats its WHERE terms, so these must stay the migration's terms (`changes` names the index
    /// with INDEXED BY: its statement fails to prepare if they drift apart).
    static let notProbeFamily = "e.action NOT BETWEEN 'exec_' AND 'exec`' AND e.action <> 'health_status'"

    /// Container and image events in [fromNs, toNs] that are not health probes, exec companions or
    /// health status changes, oldest first. exec_start comes separately (`execCommandGroups`).
    public func changes(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [StoredEvent] {
        let s = try db.prepare("""
            SELECT \(Self.storedEventColumns)
            FROM events e INDEXED BY events_changes JOIN actors a ON a.id = e.actor
            WHERE e.time_ns BETWEEN ? AND ? AND \(Self.notProbeFamily) AND a.type IN ('container', 'image')
            ORDER BY e.time_ns
            """)
        s.bind(1, fromNs)
        s.bind(2, toNs)
        return try readEvents(s)
    }

    /// Every (container, command) that ran exec_start in [fromNs, toNs], from `exec_commands`: one
    /// row per hour and group, however many probes ran. First and last are those of the hours touched,
    /// so they can reach a little outside the window; `execStarts` clips.
    public func execCommandGroups(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [ExecCommandGroup] {
        let s = try db.prepare("""
            SELECT a.docker_id, x.actor, x.command, sum(x.count), min(x.first_ns), max(x.last_ns)
            FROM exec_commands x JOIN actors a ON a.id = x.actor
            WHERE x.hour BETWEEN ?1 / 3600000000000 AND ?2 / 3600000000000 AND x.last_ns >= ?1 AND x.first_ns <= ?2
            GROUP BY x.actor, x.command
            """)
        s.bind(1, fromNs)
        s.bind(2, toNs)
        var groups: [ExecCommandGroup] = []
        try s.forEachRow { row in
            groups.append(ExecCommandGroup(containerID: row.string(0) ?? "", actorRow: row.int64(1), command: row.string(2) ?? "",
                                           count: Int(row.int64(3)), firstNs: row.int64(4), lastNs: row.int64(5)))
        }
        return groups
    }

    /// The exec_start events of one group in [fromNs, toNs], read hour by hour so that a command run
    /// at both ends of the window does not scan everything between.
    public func execStarts(of group: ExecCommandGroup, fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [StoredEvent] {
        let hours = try db.prepare("""
            SELECT first_ns, last_ns FROM exec_commands
            WHERE hour BETWEEN ?1 / 3600000000000 AND ?2 / 3600000000000 AND actor = ?3 AND command = ?4 ORDER BY hour
            """)
        hours.bind(1, fromNs)
        hours.bind(2, toNs)
        hours.bind(3, group.actorRow)
        hours.bind(4, group.command)
        var ranges: [(Int64, Int64)] = []
        try hours.forEachRow { ranges.append((max($0.int64(0), fromNs), min($0.int64(1), toNs))) }
        let s = try db.prepare("""
            SELECT \(Self.storedEventColumns)
            FROM events e JOIN actors a ON a.id = e.actor
            WHERE e.time_ns BETWEEN ? AND ? AND e.actor = ? AND e.action = 'exec_start' AND coalesce(e.detail, '') = ?
            ORDER BY e.time_ns
            """)
        var out: [StoredEvent] = []
        for (from, to) in ranges where from <= to {
            s.bind(1, from)
            s.bind(2, to)
            s.bind(3, group.actorRow)
            s.bind(4, group.command)
            out += try readEvents(s)
        }
        return out
    }

    /// exec_start events in [fromNs, toNs] whose exec had a tty or privileges (exec inspect), found
    /// through the exec sessions: the inspection follows the exec_start within moments.
    public func interactiveExecStarts(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [StoredEvent] {
        let sessions = try db.prepare("""
            SELECT exec_id, actor, inspected_ns FROM exec_sessions INDEXED BY exec_sessions_interactive
            WHERE (tty = 1 OR privileged = 1) AND inspected_ns BETWEEN ? AND ?
            """)
        sessions.bind(1, fromNs)
        let (until, overflow) = toNs.addingReportingOverflow(Self.inspectionDelayNs)
        sessions.bind(2, overflow ? .max : until)
        var found: [(String, Int64, Int64)] = []
        try sessions.forEachRow { found.append(($0.string(0) ?? "", $0.int64(1), $0.int64(2))) }
        let s = try db.prepare("""
            SELECT \(Self.storedEventColumns)
            FROM events e JOIN actors a ON a.id = e.actor
            WHERE e.time_ns BETWEEN ? AND ? AND e.actor = ? AND e.action = 'exec_start' AND json_extract(e.extra, '$.execID') = ?
            """)
        var out: [StoredEvent] = []
        for (execID, actor, inspectedNs) in found {
            s.bind(1, max(fromNs, inspectedNs - Self.inspectionDelayNs))
            s.bind(2, min(toNs, inspectedNs))
            s.bind(3, actor)
            s.bind(4, execID)
            out += try readEvents(s)
        }
        return out
    }

    /// How long after its exec_start an exec may have been inspected (a backlog of inspections).
    static let inspectionDelayNs: Int64 = 10 * 60 * 1_000_000_000
}
