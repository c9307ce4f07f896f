import AuditSupport
import Synchronization

/// A status change of a finding, ready to be queued for every sink.
public struct OutboxEntry: Sendable, Equatable {
    public var findingID: String
    /// The finding's status this notification announces (`open`, `reconciled`, …), unique per finding;
    /// an acknowledgement and its expiry carry the acknowledgement's time (`acknowledged@<ns>`,
    /// `stale@<ns>`), so that each acknowledgement is announced.
    public var status: String
    /// The finding's own time.
    public var timeNs: Int64
    /// What the sinks send, as JSON text.
    public var body: String
    /// Read back for a sink (`pending`, `delivered`): the body of the finding's first announcement, its
    /// `open` row, if still stored. Alertmanager names every later post of the finding with its labels.
    public var openedBody: String?

    public init(findingID: String, status: String, timeNs: Int64, body: String, openedBody: String? = nil) {
        self.findingID = findingID
        self.status = status
        self.timeNs = timeNs
        self.body = body
        self.openedBody = openedBody
    }
}

/// A queued notification not yet delivered to one sink.
public struct PendingDelivery: Sendable, Equatable {
    public var notificationID: Int64
    public var entry: OutboxEntry
    public var attempts: Int
}

/// Delivery counts for one sink, for `/metrics`.
public struct DeliveryCounts: Sendable, Equatable {
    public var sent: Int
    public var failed: Int
    public var pending: Int

    public init(sent: Int = 0, failed: Int = 0, pending: Int = 0) {
        self.sent = sent
        self.failed = failed
        self.pending = pending
    }
}

/// The notifier's outbox (migration 008): notifications are written here, with a delivery per sink,
/// before any is sent, and marked sent only after the sink answered. A crash in between leaves the
/// delivery pending, and the next run sends it.
public final class NotificationOutbox: Sendable {
    private let connection: Mutex<Database>

    public init(path: String) throws(SQLiteError) {
        connection = Mutex(try Database(path: path))
    }

    /// When notifications were first enabled on this store; set to `nowNs` on the first call ever.
    public func baseline(nowNs: Int64) throws(SQLiteError) -> Int64 {
        try connection.withLock { (db) throws(SQLiteError) -> Int64 in
            let insert = try db.prepare("INSERT OR IGNORE INTO notification_baseline (id, started_ns) VALUES (1, ?)")
            insert.bind(1, nowNs)
            try insert.run()
            let read = try db.prepare("SELECT started_ns FROM notification_baseline WHERE id = 1")
            return try read.step() ? read.int64(0) : nowNs
        }
    }

    /// The statuses already queued for each finding whose time is at or after `fromNs`.
    public func queuedStatuses(sinceNs fromNs: Int64) throws(SQLiteError) -> [String: Set<String>] {
        try connection.withLock { (db) throws(SQLiteError) -> [String: Set<String>] in
            let s = try db.prepare("SELECT finding_id, status FROM notifications WHERE time_ns >= ?")
            s.bind(1, fromNs)
            var result: [String: Set<String>] = [:]
            try s.forEachRow { row in
                if let id = row.string(0), let status = row.string(1) { result[id, default: []].insert(status) }
            }
            return result
        }
    }

    /// The body of the same finding's `open` row, as a column of a query over `notifications n`.
    static let openedBodyColumn = "(SELECT o.body FROM notifications o WHERE o.finding_id = n.finding_id AND o.status = 'open')"

    /// The statuses after which a finding is announced no more, as SQL: `reconciled`, `gone`, and
    /// `withdrawn` (a record that arrived late attributed the change to a deployment after all).
    static let terminalStatuses = "('reconciled', 'gone', 'withdrawn')"

    /// The time of the oldest finding at or after `floorNs` that was announced and has not been
    /// announced ended: the evaluation must reach back to it to see it end.
    public func oldestUnresolvedNs(floorNs: Int64) throws(SQLiteError) -> Int64? {
        try connection.withLock { (db) throws(SQLiteError) -> Int64? in
            let s = try db.prepare("""
                SELECT min(n.time_ns) FROM notifications n WHERE n.time_ns >= ? AND NOT EXISTS (
                    SELECT 1 FROM notifications t WHERE t.finding_id = n.finding_id AND t.status IN \(Self.terminalStatuses))
                """)
            s.bind(1, floorNs)
            return try s.step() ? s.optionalInt64(0) : nil
        }
    }

    /// The latest notification of each finding at or after `fromNs` that was announced and has not
    /// been announced ended, by finding id.
    public func unresolved(sinceNs fromNs: Int64) throws(SQLiteError) -> [String: OutboxEntry] {
        try connection.withLock { (db) throws(SQLiteError) -> [String: OutboxEntry] in
            let s = try db.prepare("""
                SELECT n.finding_id, n.status, n.time_ns, n.body FROM notifications n
                WHERE n.time_ns >= ? AND n.id = (SELECT max(m.id) FROM notifications m WHERE m.finding_id = n.finding_id)
                  AND n.status NOT IN \(Self.terminalStatuses)
                """)
            s.bind(1, fromNs)
            var result: [String: OutboxEntry] = [:]
            try s.forEachRow { row in
                let entry = OutboxEntry(findingID: row.string(0) ?? "", status: row.string(1) ?? "", timeNs: row.int64(2), body: row.string(3) ?? "")
                result[entry.findingID] = entry
            }
            return result
        }
    }

    /// Queues `entries` in order, each with a pending delivery for every one of `sinks`, in one
    /// transaction; an entry whose (finding, status) is already queued is skipped. Returns how many were new.
    @discardableResult
    public func enqueue(_ entries: [OutboxEntry], sinks: [String], nowNs: Int64) throws(SQLiteError) -> Int {
        guard !entries.isEmpty else { return 0 }
        return try connection.withLock { (db) throws(SQLiteError) -> Int in
            try db.transaction { () throws(SQLiteError) -> Int in
                let insert = try db.prepare("""
                    INSERT INTO notifications (finding_id, status, time_ns, created_ns, body) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (finding_id, status) DO NOTHING
                    """)
                let deliver = try db.prepare("INSERT OR IGNORE INTO notification_deliveries (sink, notification_id) VALUES (?, ?)")
                var added = 0
                for entry in entries {
                    insert.bind(1, entry.findingID)
                    insert.bind(2, entry.status)
                    insert.bind(3, entry.timeNs)
                    insert.bind(4, nowNs)
                    insert.bind(5, entry.body)
                    try insert.run()
                    guard db.changes == 1 else { continue }
                    added += 1
                    let id = db.lastInsertRowID
                    for sink in sinks {
                        deliver.bind(1, sink)
                        deliver.bind(2, id)
                        try deliver.run()
                    }
                }
                return added
            }
        }
    }

    /// Up to `limit` deliveries still owed to `sink`, oldest first: a sink hears of a finding's
    /// changes in the order they happened.
    public func pending(sink: String, limit: Int) throws(SQLiteError) -> [PendingDelivery] {
        try connection.withLock { (db) throws(SQLiteError) -> [PendingDelivery] in
            let s = try db.prepare("""
                SELECT n.id, n.finding_id, n.status, n.time_ns, n.body, d.attempts, \(Self.openedBodyColumn)
                FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
                WHERE d.sink = ? AND d.sent_ns IS NULL AND d.failed_ns IS NULL
                ORDER BY d.notification_id LIMIT ?
                """)
            s.bind(1, sink)
            s.bind(2, limit)
            var result: [PendingDelivery] = []
            try s.forEachRow { row in
                result.append(PendingDelivery(
                    notificationID: row.int64(0),
                    entry: OutboxEntry(findingID: row.string(1) ?? "", status: row.string(2) ?? "", timeNs: row.int64(3), body: row.string(4) ?? "",
                                       openedBody: row.string(6)),
                    attempts: Int(row.int64(5))))
            }
            return result
        }
    }

    /// The sink answered 2xx.
    public func markSent(sink: String, notificationID: Int64, nowNs: Int64) throws(SQLiteError) {
        try update("UPDATE notification_deliveries SET sent_ns = ?1, attempts = attempts + 1, last_error = NULL WHERE sink = ?3 AND notification_id = ?4",
                   nowNs, nil, sink, notificationID)
    }

    /// An attempt that will be retried: counted, with what went wrong.
    public func markAttempt(sink: String, notificationID: Int64, error: String) throws(SQLiteError) {
        try update("UPDATE notification_deliveries SET attempts = attempts + 1, last_error = ?2 WHERE sink = ?3 AND notification_id = ?4",
                   nil, error, sink, notificationID)
    }

    /// The sink refused it for good; it is not retried.
    public func markFailed(sink: String, notificationID: Int64, error: String, nowNs: Int64) throws(SQLiteError) {
        try update("UPDATE notification_deliveries SET failed_ns = ?1, attempts = attempts + 1, last_error = ?2 WHERE sink = ?3 AND notification_id = ?4",
                   nowNs, error, sink, notificationID)
    }

    private func update(_ sql: String, _ nowNs: Int64?, _ error: String?, _ sink: String, _ id: Int64) throws(SQLiteError) {
        try connection.withLock { (db) throws(SQLiteError) in
            let s = try db.prepare(sql)
            if let nowNs { s.bind(1, nowNs) }
            if let error { s.bind(2, error) }
            s.bind(3, sink)
            s.bind(4, id)
            try s.run()
        }
    }

    /// Sent, failed and pending deliveries per sink.
    public func counts() throws(SQLiteError) -> [String: DeliveryCounts] {
        try connection.withLock { (db) throws(SQLiteError) -> [String: DeliveryCounts] in
            let s = try db.prepare("""
                SELECT sink, count(sent_ns), count(failed_ns), sum(sent_ns IS NULL AND failed_ns IS NULL)
                FROM notification_deliveries GROUP BY sink
                """)
            var result: [String: DeliveryCounts] = [:]
            try s.forEachRow { row in
                if let sink = row.string(0) {
                    result[sink] = DeliveryCounts(sent: Int(row.int64(1)), failed: Int(row.int64(2)), pending: Int(row.int64(3)))
                }
            }
            return result
        }
    }

    /// The latest notification of each finding at or after `fromNs` whose latest change was delivered
    /// to `sink` and announced one of `statuses` (`stale` matches `stale@<ns>`), with its `open` row's body: what is still firing there (Alertmanager forgets an alert that
    /// is not sent again, as Prometheus does every evaluation).
    public func delivered(sink: String, latestStatusIn statuses: [String], sinceNs fromNs: Int64) throws(SQLiteError) -> [OutboxEntry] {
        try connection.withLock { (db) throws(SQLiteError) -> [OutboxEntry] in
            let placeholders = statuses.indices.map { "?\($0 + 3)" }.joined(separator: ", ")
            let s = try db.prepare("""
                SELECT n.finding_id, n.status, n.time_ns, n.body, \(Self.openedBodyColumn)
                FROM notifications n JOIN notification_deliveries d ON d.notification_id = n.id AND d.sink = ?1
                WHERE d.sent_ns IS NOT NULL AND n.time_ns >= ?2
                  AND (CASE WHEN instr(n.status, '@') > 0 THEN substr(n.status, 1, instr(n.status, '@') - 1) ELSE n.status END)
                      IN (\(placeholders))
                  AND n.id = (SELECT max(m.id) FROM notifications m WHERE m.finding_id = n.finding_id)
                ORDER BY n.id
                """)
            s.bind(1, sink)
            s.bind(2, fromNs)
            for (i, status) in statuses.enumerated() { s.bind(Int32(i + 3), status) }
            var result: [OutboxEntry] = []
            try s.forEachRow { row in
                result.append(OutboxEntry(findingID: row.string(0) ?? "", status: row.string(1) ?? "", timeNs: row.int64(2), body: row.string(3) ?? "",
                                          openedBody: row.string(4)))
            }
            return result
        }
    }
}
