import AuditSchema

/// What `audit doctor` asks of a store besides `status()`.
extension StoreReader {
    /// The schema version this binary migrates stores to.
    public static var currentSchemaVersion: Int { Migrations.all.map(\.version).max() ?? 0 }

    /// `PRAGMA quick_check`: an empty list when the file is sound, else SQLite's findings (at most 10).
    public func quickCheck() throws(SQLiteError) -> [String] {
        var problems: [String] = []
        try db.prepare("PRAGMA quick_check(10)").forEachRow { row in
            if let line = row.string(0), line != "ok" { problems.append(line) }
        }
        return problems
    }
}

/// One notification sink's deliveries as `audit doctor` reads them.
public struct NotificationBacklog: Sendable, Equatable {
    /// `webhook:1a2b3c4d`: the kind and a digest of the URL (which may itself be a secret).
    public var sink: String
    public var pending: Int
    /// When the oldest pending notification was written to the outbox.
    public var oldestPendingNs: Int64?
    /// Deliveries the sink refused for good (4xx) since the time asked for.
    public var refused: Int
}

extension StoreReader {
    /// Each sink's undelivered notifications and recent refusals; empty when no sink was ever configured.
    public func notificationBacklog(refusedSinceNs: Int64) throws(SQLiteError) -> [NotificationBacklog] {
        let s = try db.prepare("""
            SELECT d.sink, sum(d.sent_ns IS NULL AND d.failed_ns IS NULL),
                   min(CASE WHEN d.sent_ns IS NULL AND d.failed_ns IS NULL THEN n.created_ns END), sum(d.failed_ns >= ?)
            FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id GROUP BY d.sink ORDER BY d.sink
            """)
        s.bind(1, refusedSinceNs)
        var result: [NotificationBacklog] = []
        try s.forEachRow { row in
            result.append(NotificationBacklog(sink: row.string(0) ?? "", pending: Int(row.int64(1)), oldestPendingNs: row.optionalInt64(2), refused: Int(row.int64(3))))
        }
        return result
    }
}
