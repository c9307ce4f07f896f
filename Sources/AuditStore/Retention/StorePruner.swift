import AuditSupport

/// Carries out a `PrunePlan` in small transactions, so that whoever shares the store keeps going: the
/// collector's writer runs a step between its event batches (`EventWriter.prune`), `audit prune` runs
/// steps one after another on a connection of its own.
///
/// Events go oldest first in chunks of `chunkRows` rows bounded by time (the primary key starts with
/// the time, so a chunk is a range). Each chunk moves the kind's horizon in `retention_horizons` in
/// the same transaction: whatever the horizon says is gone is gone, and a prune cut short resumes
/// there. Freed pages go back to the file system by incremental vacuum, a few megabytes per step.
public final class StorePruner {
    private enum Phase {
        case events(cursorNs: Int64)
        case tables(index: Int)
        case probes(hour: Int64, cursorNs: Int64)
        case vacuum
        case done
    }

    /// The other tables, in order, each with the condition its old rows meet (`?1` = the cut-off).
    /// A container keeps its last snapshot from before the cut-off (the baseline the first kept
    /// change is diffed against) unless it was removed before the cut-off. A deployment stays while it
    /// can still explain a kept change (an open one covers 30 minutes, a finished one 5 minutes past its
    /// end) and when it may have made a container still running (the creates kept, within ±6 h).
    /// Acknowledgements stay until they expire: a finding they answer (a running container's create)
    /// may be shown whatever its age.
    /// The newest row of each table the fleet keys by its local id (snapshots, coverage, gaps, acks)
    /// always stays: SQLite gives a new row the highest id + 1, so emptying a table would hand out ids
    /// again that PostgreSQL already holds for older rows, and the forwarder's upsert would overwrite them.
    private static let tables: [(name: String, key: String, condition: String)] = [
        ("container_snapshots", "rowid", """
            taken_ns < ?1 AND (
                id NOT IN (SELECT max(id) FROM container_snapshots WHERE taken_ns < ?1 GROUP BY actor)
                OR actor IN (SELECT actor FROM container_snapshots
                             WHERE id IN (SELECT max(id) FROM container_snapshots GROUP BY actor) AND config IS NULL AND taken_ns < ?1))
              AND id < (SELECT max(id) FROM container_snapshots)
            """),
        ("exec_sessions", "rowid", "inspected_ns < ?1"),
        ("exec_commands", "hour, actor, command", "hour < ?1 / 3600000000000"),
        ("coverage", "rowid", "ended_ns IS NOT NULL AND ended_ns < ?1 AND id < (SELECT max(id) FROM coverage)"),
        ("gaps", "rowid", "to_ns < ?1 AND id < (SELECT max(id) FROM gaps)"),
        ("quarantine", "rowid", "received_ns < ?1"),
        ("webhook_deliveries", "rowid", "received_ns < ?1"),
        ("deployments", "rowid", """
            coalesce(finished_ns + 300000000000, started_ns + 1800000000000) < ?1 AND NOT EXISTS (
                SELECT 1 FROM events e WHERE e.action = 'create' AND e.time_ns < ?1
                  AND e.time_ns BETWEEN deployments.started_ns - 300000000000 AND coalesce(deployments.finished_ns, deployments.started_ns + 21600000000000) + 300000000000)
            """),
        ("drift_findings", "rowid", "resolved_ns < ?1"),
        ("acks", "rowid", "expires_ns < ?1 AND id < (SELECT max(id) FROM acks)"),
        // The notifier's outbox: deliveries first, then notifications none waits on. A delivery still
        // pending after the whole retention goes too: its sink was unreachable all that time or has been
        // removed from the configuration. An open drift finding's notifications stay: its "opened" must
        // not be announced again.
        ("notification_deliveries", "sink, notification_id", """
            notification_id IN (
                SELECT id FROM notifications WHERE created_ns < ?1 AND finding_id NOT IN (SELECT id FROM drift_findings WHERE resolved_ns IS NULL))
            """),
        ("notifications", "rowid", """
            created_ns < ?1 AND finding_id NOT IN (SELECT id FROM drift_findings WHERE resolved_ns IS NULL)
              AND id NOT IN (SELECT notification_id FROM notification_deliveries)
            """),
    ]

    private static let hourNs: Int64 = 3_600_000_000_000

    private let db: Database
    private let plan: PrunePlan
    private let chunkRows: Int64
    private let vacuumPages: Int
    private var phase: Phase
    private let nowNs: Int64
    private var tally = PruneProgress()
    /// What the pruner has done so far.
    public var progress: PruneProgress {
        var p = tally
        if isDone { (p.phase, p.finished) = ("done", true) }
        return p
    }
    private let liveJSON: String
    private var actorTypes: [Int64: String] = [:]
    private lazy var incremental: Bool = (try? StoreReader(database: db).givesSpaceBack()) ?? false

    /// `chunkRows` bounds each transaction; `vacuumPages` each incremental vacuum step.
    public init(db: Database, plan: PrunePlan, nowNs: Int64 = Timestamp.now().nanoseconds, chunkRows: Int = 4000, vacuumPages: Int = 256) {
        self.db = db
        self.plan = plan
        self.nowNs = nowNs
        self.chunkRows = Int64(max(chunkRows, 1))
        self.vacuumPages = max(vacuumPages, 1)
        liveJSON = "[" + plan.liveContainers.map(String.init).joined(separator: ",") + "]"
        phase = .events(cursorNs: .min)
    }

    public var isDone: Bool { if case .done = phase { return true } else { return false } }

    /// Runs steps until about `budgetNs` has passed or the plan is carried out; true once it is.
    /// A failed step (the store is locked, the disk is full) throws; calling again retries it.
    @discardableResult
    public func run(budgetNs: Int64) throws(SQLiteError) -> Bool {
        let start = Timestamp.now().nanoseconds
        repeat {
            try step()
        } while !isDone && Timestamp.now().nanoseconds - start < budgetNs
        return isDone
    }

    /// One transaction's worth of work.
    func step() throws(SQLiteError) {
        switch phase {
        case .events(let cursor):
            guard let cutoff = plan.eventsBeforeNs else { phase = .tables(index: Self.tables.count); return try step() }
            tally.phase = "removing events older than the retention"
            let end = try chunkEnd(from: cursor, before: cutoff)
            tally.events += try db.transaction { () throws(SQLiteError) in
                try deleteEvents(from: cursor, to: end, where: "NOT (action = 'create' AND actor IN (SELECT value FROM json_each(?3)))",
                                 actors: liveJSON, horizon: "events")
            }
            phase = end >= cutoff ? .tables(index: 0) : .events(cursorNs: end)
        case .tables(let index):
            guard let cutoff = plan.eventsBeforeNs, index < Self.tables.count else { phase = firstProbePhase(); return }
            let table = Self.tables[index]
            tally.phase = "removing old rows of \(table.name)"
            let delete = try db.prepare("""
                DELETE FROM \(table.name) WHERE (\(table.key)) IN (SELECT \(table.key) FROM \(table.name) WHERE \(table.condition) LIMIT ?2)
                """)
            delete.bind(1, cutoff)
            delete.bind(2, chunkRows)
            try delete.run()
            let removed = db.changes  // autocommit: counted once committed
            tally.otherRows += removed
            if removed < chunkRows { phase = .tables(index: index + 1) }
        case .probes(let hour, let cursor):
            guard let range = plan.probes, hour < range.toHour else { phase = .vacuum; return }
            tally.phase = "removing health-probe events older than the probe retention"
            let hourEnd = (hour + 1) * Self.hourNs
            let from = max(cursor, hour * Self.hourNs)
            let end = try chunkEnd(from: from, before: hourEnd)
            var sessionsDeleted = 0
            let keep = "[" + (range.keepExecs[hour] ?? []).map(String.init).joined(separator: ",") + "]"
            let deleted = try db.transaction { () throws(SQLiteError) -> Int in
                // The probe family as migration 004's indexes spell it (a range, not an IN list).
                let deleted = try deleteEvents(
                    from: from, to: end, where: "action = 'health_status' OR (action BETWEEN 'exec_' AND 'exec`' AND actor NOT IN (SELECT value FROM json_each(?3)))",
                    actors: keep, horizon: "probes")
                // The probes' exec inspections go with the hour's last chunk: one row per probe, kept for
                // the whole retention they would outweigh the events they describe.
                if end >= hourEnd {
                    let sessions = try db.prepare("""
                        DELETE FROM exec_sessions WHERE inspected_ns >= ? AND inspected_ns < ?
                          AND coalesce(tty, 0) = 0 AND coalesce(privileged, 0) = 0 AND actor NOT IN (SELECT value FROM json_each(?))
                        """)
                    sessions.bind(1, hour * Self.hourNs)
                    sessions.bind(2, hourEnd)
                    sessions.bind(3, keep)
                    try sessions.run()
                    sessionsDeleted = db.changes
                }
                return deleted
            }
            tally.probeEvents += deleted
            tally.otherRows += sessionsDeleted
            phase = end >= hourEnd ? .probes(hour: hour + 1, cursorNs: hourEnd) : .probes(hour: hour, cursorNs: end)
        case .vacuum:
            guard incremental else { phase = .done; return }
            tally.phase = "giving free pages back to the file system"
            let before = try freePages()
            guard before > 0 else { phase = .done; return }
            try db.execute("PRAGMA incremental_vacuum(\(vacuumPages))")
            let after = try freePages()
            tally.pagesFreed += before - after
            if after == 0 || after >= before { phase = .done }
        case .done:
            break
        }
    }

    private func firstProbePhase() -> Phase {
        guard let range = plan.probes, range.fromHour < range.toHour else { return .vacuum }
        return .probes(hour: range.fromHour, cursorNs: .min)
    }

    /// Where a chunk starting at `from` ends: after about `chunkRows` events, and never past `before`.
    /// Rows sharing one time stay in one chunk (the end is exclusive and always moves forward).
    private func chunkEnd(from: Int64, before: Int64) throws(SQLiteError) -> Int64 {
        let s = try db.prepare("SELECT time_ns FROM events WHERE time_ns >= ? AND time_ns < ? ORDER BY time_ns LIMIT 1 OFFSET ?")
        s.bind(1, from)
        s.bind(2, before)
        s.bind(3, chunkRows)
        defer { s.reset() }
        guard try s.step() else { return before }
        return max(s.int64(0), from.addingReportingOverflow(1).overflow ? from : from + 1)
    }

    /// Deletes the events of [from, end) that `condition` selects (`?3` is `actors`, a JSON array of
    /// actor rows), takes them off `event_counts` and moves the kind's horizon past them; inside the
    /// caller's transaction. Returns how many it deleted.
    private func deleteEvents(from: Int64, to end: Int64, where condition: String, actors: String, horizon kind: String) throws(SQLiteError) -> Int {
        let delete = try db.prepare("DELETE FROM events WHERE time_ns >= ?1 AND time_ns < ?2 AND (\(condition)) RETURNING actor, source, time_ns")
        delete.bind(1, from)
        delete.bind(2, end)
        delete.bind(3, actors)
        let deleted = try uncount(delete)
        try setHorizon(kind, after: deleted.newestNs)
        return deleted.count
    }

    /// Steps a `DELETE … RETURNING actor, source, time_ns` and takes its rows off `event_counts`;
    /// returns how many it deleted and the newest one's time.
    private func uncount(_ delete: Statement) throws(SQLiteError) -> (count: Int, newestNs: Int64?) {
        var removed: [String: [Int64: Int64]] = [:]
        var total = 0
        var newest: Int64?
        try delete.forEachRow { row throws(SQLiteError) in
            let type = try actorType(row.int64(0))
            removed[type, default: [:]][row.int64(1), default: 0] += 1
            total += 1
            newest = max(newest ?? .min, row.int64(2))
        }
        let update = try db.prepare("UPDATE event_counts SET count = max(count - ?, 0) WHERE type = ? AND source = ?")
        for (type, sources) in removed {
            for (source, count) in sources {
                update.bind(1, count)
                update.bind(2, type)
                update.bind(3, source)
                try update.run()
            }
        }
        return (total, newest)
    }

    private func actorType(_ actor: Int64) throws(SQLiteError) -> String {
        if let known = actorTypes[actor] { return known }
        let s = try db.prepare("SELECT type FROM actors WHERE id = ?")
        s.bind(1, actor)
        defer { s.reset() }
        let type = try s.step() ? (s.string(0) ?? "") : ""
        if actorTypes.count > 100_000 { actorTypes.removeAll() }
        actorTypes[actor] = type
        return type
    }

    /// Moves a kind's horizon just past the newest row deleted (never back: a later, shorter policy does
    /// not un-prune). Only what was deleted moves it: a window nobody collected in is not "pruned".
    private func setHorizon(_ kind: String, after newestNs: Int64?) throws(SQLiteError) {
        guard let newestNs, newestNs < .max else { return }
        let beforeNs = newestNs + 1
        let s = try db.prepare("""
            INSERT INTO retention_horizons (kind, before_ns, pruned_ns) VALUES (?, ?, ?)
            ON CONFLICT (kind) DO UPDATE SET before_ns = max(before_ns, excluded.before_ns), pruned_ns = excluded.pruned_ns
            """)
        s.bind(1, kind)
        s.bind(2, beforeNs)
        s.bind(3, nowNs)
        try s.run()
    }

    private func freePages() throws(SQLiteError) -> Int {
        let s = try db.prepare("PRAGMA freelist_count")
        defer { s.reset() }
        return try s.step() ? Int(s.int64(0)) : 0
    }
}
