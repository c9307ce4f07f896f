/// What `audit status` reports about a store.
public struct StoreStatus: Sendable {
    public struct Interval: Sendable {
        public var dockerHost: String
        public var startedNs: Int64
        public var endNs: Int64
        public var open: Bool
        public var endReason: String?
    }

    public struct Quarantined: Sendable {
        public var receivedNs: Int64
        public var reason: String
        public var preview: String
    }

    public var eventsBySource: [(EventSource, Int)] = []
    public var eventsByType: [(String, Int)] = []
    public var newestEventNs: Int64?
    public var oldestEventNs: Int64?
    public var snapshots = 0
    public var execs = 0
    public var quarantinedCount = 0
    public var recentQuarantine: [Quarantined] = []
    public var intervalCount = 0
    public var recentIntervals: [Interval] = []
    public var gapCount = 0
    public var recentGaps: [StoredGap] = []
    public var schemaVersion = 0
}

extension StoreReader {
    public func status(recent: Int = 5) throws(SQLiteError) -> StoreStatus {
        var status = StoreStatus()
        // Kept by the writer (migration 004): counting millions of rows here would take seconds.
        try db.prepare("SELECT source, sum(count) FROM event_counts GROUP BY source ORDER BY source").forEachRow { row in
            status.eventsBySource.append((EventSource(rawValue: row.int64(0)) ?? .stream, Int(row.int64(1))))
        }
        try db.prepare("SELECT type, sum(count) FROM event_counts GROUP BY type ORDER BY 2 DESC").forEachRow { row in
            status.eventsByType.append((row.string(0) ?? "", Int(row.int64(1))))
        }
        try db.prepare("SELECT max(time_ns), min(time_ns) FROM events").forEachRow { row in
            status.newestEventNs = row.optionalInt64(0)
            status.oldestEventNs = row.optionalInt64(1)
        }
        status.snapshots = try count("container_snapshots")
        status.execs = try count("exec_sessions")
        status.quarantinedCount = try count("quarantine")
        try db.prepare("SELECT received_ns, reason, substr(raw, 1, 80) FROM quarantine ORDER BY id DESC LIMIT \(recent)").forEachRow { row in
            status.recentQuarantine.append(.init(receivedNs: row.int64(0), reason: row.string(1) ?? "", preview: String(decoding: row.blob(2), as: UTF8.self)))
        }
        status.intervalCount = try count("coverage")
        try db.prepare("SELECT docker_host, started_ns, coalesce(ended_ns, last_seen_ns), ended_ns IS NULL, end_reason FROM coverage ORDER BY id DESC LIMIT \(recent)").forEachRow { row in
            status.recentIntervals.append(.init(dockerHost: row.string(0) ?? "", startedNs: row.int64(1), endNs: row.int64(2), open: row.int64(3) == 1, endReason: row.string(4)))
        }
        status.gapCount = try count("gaps")
        try db.prepare("SELECT docker_host, from_ns, to_ns, cause, replayed, changes_found FROM gaps ORDER BY id DESC LIMIT \(recent)").forEachRow { row in
            status.recentGaps.append(.init(dockerHost: row.string(0) ?? "", fromNs: row.int64(1), toNs: row.int64(2), cause: row.string(3) ?? "", replayed: Int(row.int64(4)), changesFound: row.optionalInt64(5).map(Int.init)))
        }
        try db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations").forEachRow { status.schemaVersion = Int($0.int64(0)) }
        return status
    }

    private func count(_ table: String) throws(SQLiteError) -> Int {
        let s = try db.prepare("SELECT count(*) FROM \(table)")
        defer { s.reset() }
        try s.step()
        return Int(s.int64(0))
    }

    /// All gaps overlapping a window, for reports.
    public func gaps(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [StoredGap] {
        let s = try db.prepare("SELECT docker_host, from_ns, to_ns, cause, replayed, changes_found FROM gaps WHERE to_ns >= ? AND from_ns <= ? ORDER BY from_ns")
        s.bind(1, fromNs)
        s.bind(2, toNs)
        var gaps: [StoredGap] = []
        try s.forEachRow { row in
            gaps.append(.init(dockerHost: row.string(0) ?? "", fromNs: row.int64(1), toNs: row.int64(2), cause: row.string(3) ?? "", replayed: Int(row.int64(4)), changesFound: row.optionalInt64(5).map(Int.init)))
        }
        return gaps
    }
}
