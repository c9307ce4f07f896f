/// The reads retention needs: what has been pruned, and what a prune pass must decide on.
extension StoreReader {
    /// How far each kind of row has been pruned (`events`, `probes`): rows older than the value are gone.
    public func retentionHorizons() throws(SQLiteError) -> RetentionHorizons {
        let s = try db.prepare("SELECT kind, before_ns FROM retention_horizons")
        var horizons = RetentionHorizons()
        try s.forEachRow { row in
            switch row.string(0) {
            case "events": horizons.eventsBeforeNs = row.int64(1)
            case "probes": horizons.probesBeforeNs = row.int64(1)
            default: break
            }
        }
        return horizons
    }

    /// The oldest stored event's time (the first row of the primary key).
    public func oldestEventNs() throws(SQLiteError) -> Int64? {
        let s = try db.prepare("SELECT time_ns FROM events ORDER BY time_ns LIMIT 1")
        defer { s.reset() }
        return try s.step() ? s.int64(0) : nil
    }

    /// Containers (actor rows) whose latest snapshot is not a removal.
    public func liveContainerActors() throws(SQLiteError) -> [Int64] {
        let s = try db.prepare("""
            SELECT actor FROM container_snapshots
            WHERE id IN (SELECT max(id) FROM container_snapshots GROUP BY actor) AND config IS NOT NULL
            """)
        var actors: [Int64] = []
        try s.forEachRow { row in actors.append(row.int64(0)) }
        return actors
    }

    /// The exec_start summary of hours [fromHour, toHour), hour by hour: one group per container and command.
    public func execCommandGroups(fromHour: Int64, toHour: Int64) throws(SQLiteError) -> [Int64: [ExecCommandGroup]] {
        let s = try db.prepare("""
            SELECT x.hour, a.docker_id, x.actor, x.command, x.count, x.first_ns, x.last_ns
            FROM exec_commands x JOIN actors a ON a.id = x.actor WHERE x.hour >= ? AND x.hour < ?
            """)
        s.bind(1, fromHour)
        s.bind(2, toHour)
        var hours: [Int64: [ExecCommandGroup]] = [:]
        try s.forEachRow { row in
            hours[row.int64(0), default: []].append(ExecCommandGroup(
                containerID: row.string(1) ?? "", actorRow: row.int64(2), command: row.string(3) ?? "",
                count: Int(row.int64(4)), firstNs: row.int64(5), lastNs: row.int64(6)))
        }
        return hours
    }

    /// Containers (actor rows) and times of execs with a tty or privileges inspected in [fromNs, toNs).
    public func interactiveExecTimes(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [(actor: Int64, inspectedNs: Int64)] {
        let s = try db.prepare("""
            SELECT actor, inspected_ns FROM exec_sessions WHERE inspected_ns >= ? AND inspected_ns < ? AND (tty = 1 OR privileged = 1)
            """)
        s.bind(1, fromNs)
        s.bind(2, toNs)
        var result: [(actor: Int64, inspectedNs: Int64)] = []
        try s.forEachRow { row in result.append((row.int64(0), row.int64(1))) }
        return result
    }
}

/// How far retention has pruned the store; nil where nothing was pruned.
public struct RetentionHorizons: Sendable, Equatable {
    /// Events older than this were pruned (but the creates of containers still in existence).
    public var eventsBeforeNs: Int64?
    /// Health-probe events older than this were pruned; their hourly counts remain.
    public var probesBeforeNs: Int64?

    public init(eventsBeforeNs: Int64? = nil, probesBeforeNs: Int64? = nil) {
        self.eventsBeforeNs = eventsBeforeNs
        self.probesBeforeNs = probesBeforeNs
    }
}

extension StoreReader {
    /// The last heartbeat of a coverage interval still open: a collector is (or was, until killed) writing.
    public func openCoverageHeartbeatNs() throws(SQLiteError) -> Int64? {
        let s = try db.prepare("SELECT max(last_seen_ns) FROM coverage WHERE ended_ns IS NULL")
        defer { s.reset() }
        return try s.step() ? s.optionalInt64(0) : nil
    }
}

extension StoreReader {
    /// Whether a prune can give freed pages back to the file system (incremental auto-vacuum, on for
    /// every store made since retention exists; `audit prune --vacuum` turns it on for an older one).
    public func givesSpaceBack() throws(SQLiteError) -> Bool {
        let s = try db.prepare("PRAGMA auto_vacuum")
        defer { s.reset() }
        return try s.step() && s.int64(0) == 2
    }
}
