/// The change log of the tables forwarded beside the events (migration 010): which rows changed after
/// what PostgreSQL confirmed, read with their current values; and, when PostgreSQL holds none of them
/// yet, every row of every table, page by page.
extension ForwardingLedger {
    /// Where the log stands in this store.
    public struct ChangeLogPosition: Sendable, Equatable {
        /// The newest seq the log has assigned (kept by SQLite even once its row is deleted); 0 before any.
        public var newestSeq: Int64
        /// The highest seq deleted after a target confirmed it, over every target this store forwarded to:
        /// a PostgreSQL confirming less than that missed rows the log no longer names.
        public var prunedSeq: Int64
    }

    /// Changed rows read for one transaction in PostgreSQL.
    public struct ChangeBatch: Sendable, Equatable {
        /// The seq of the batch's last log entry: what PostgreSQL holds once the batch commits.
        public var throughSeq: Int64
        /// Log entries the batch covers (a row deleted since it changed has no row here).
        public var entries: Int
        public var rows: [ForwardedRows]
    }

    /// Makes sure the log notes every change from now on (its triggers log only while the store has a
    /// forwarding target) and says where it stands. Rows changed before the target was first recorded
    /// are in no log: a full copy sends them.
    public func openChangeLog(target: String, nowNs: Int64) throws(SQLiteError) -> ChangeLogPosition {
        try connection.withLock { (db) throws(SQLiteError) -> ChangeLogPosition in
            let insert = try db.prepare("INSERT INTO forwarding (target, updated_ns) VALUES (?, ?) ON CONFLICT (target) DO NOTHING")
            insert.bind(1, target)
            insert.bind(2, nowNs)
            try insert.run()
            let s = try db.prepare("""
                SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'forward_changes'), 0),
                       coalesce((SELECT max(changes_pruned_seq) FROM forwarding), 0)
                """)
            _ = try s.step()
            return ChangeLogPosition(newestSeq: s.int64(0), prunedSeq: s.int64(1))
        }
    }

    /// Up to `limit` log entries after `afterSeq`, in seq order, with their rows as they are now; nil
    /// when there are none. A row changed again after it was read is logged again with a later seq.
    public func changes(afterSeq: Int64, limit: Int) throws(SQLiteError) -> ChangeBatch? {
        try connection.withLock { (db) throws(SQLiteError) -> ChangeBatch? in
            let log = try db.prepare("SELECT seq, tbl, row_key FROM forward_changes WHERE seq > ? ORDER BY seq LIMIT ?")
            log.bind(1, afterSeq)
            log.bind(2, Int64(limit))
            var keys: [ForwardedTable: [String]] = [:]
            var through: Int64?
            var entries = 0
            try log.forEachRow { row in
                through = row.int64(0)
                entries += 1
                // A table this binary does not forward (a newer migration's): nothing to send.
                if let table = row.string(1).flatMap(ForwardedTable.init(rawValue:)), let key = row.string(2) {
                    keys[table, default: []].append(key)
                }
            }
            guard let through else { return nil }
            var rows: [ForwardedRows] = []
            for table in ForwardedTable.allCases {
                guard let tableKeys = keys[table] else { continue }
                let read = try Self.rows(table, keys: tableKeys, db: db)
                if read.count > 0 { rows.append(read) }
            }
            return ChangeBatch(throughSeq: through, entries: entries, rows: rows)
        }
    }

    /// One page of a full copy: the rows of up to `limit` keys of `table` after `key` (nil: from its
    /// first), and the page's last key; nil once the table has no more.
    public func copyPage(_ table: ForwardedTable, after key: String?, limit: Int) throws(SQLiteError) -> (rows: ForwardedRows, lastKey: String)? {
        try connection.withLock { (db) throws(SQLiteError) -> (rows: ForwardedRows, lastKey: String)? in
            let s = try db.prepare(table.keys)
            if table.integerKey {
                s.bind(1, key.flatMap { Int64($0) } ?? .min)
            } else {
                s.bind(1, key ?? "")
            }
            // An hour of exec_commands holds a group per container and command (a few hundred on a busy
            // host): fewer hours a page keep the statement near `limit` rows.
            s.bind(2, Int64(table == .execCommands ? max(1, limit / 100) : limit))
            var keys: [String] = []
            try s.forEachRow { row in
                keys.append(table.integerKey ? String(row.int64(0)) : row.string(0) ?? "")
            }
            guard let last = keys.last else { return nil }
            return (try Self.rows(table, keys: keys, db: db), last)
        }
    }

    /// Rows of every forwarded table: what a full copy has to send, for its progress.
    public func forwardedRowCount() throws(SQLiteError) -> Int64 {
        try connection.withLock { (db) throws(SQLiteError) -> Int64 in
            var total: Int64 = 0
            for table in ForwardedTable.allCases {
                let s = try db.prepare("SELECT count(*) FROM \(table.rawValue)")
                _ = try s.step()
                total += s.int64(0)
            }
            return total
        }
    }

    /// Log entries after `afterSeq`: changed rows PostgreSQL has not confirmed.
    public func pendingChanges(afterSeq: Int64) throws(SQLiteError) -> Int64 {
        try connection.withLock { (db) throws(SQLiteError) -> Int64 in
            let s = try db.prepare("SELECT count(*) FROM forward_changes WHERE seq > ?")
            s.bind(1, afterSeq)
            _ = try s.step()
            return s.int64(0)
        }
    }

    /// Deletes the log entries PostgreSQL confirmed (`throughSeq` and before) and remembers how far the
    /// log was cut, in the same transaction.
    public func pruneChanges(throughSeq: Int64, target: String) throws(SQLiteError) {
        try connection.withLock { (db) throws(SQLiteError) in
            try db.transaction { () throws(SQLiteError) in
                let delete = try db.prepare("DELETE FROM forward_changes WHERE seq <= ?")
                delete.bind(1, throughSeq)
                try delete.run()
                let mark = try db.prepare("UPDATE forwarding SET changes_pruned_seq = max(changes_pruned_seq, ?) WHERE target = ?")
                mark.bind(1, throughSeq)
                mark.bind(2, target)
                try mark.run()
            }
        }
    }

    /// The rows `keys` name in `table`; a key whose row is gone (retention) reads nothing.
    private static func rows(_ table: ForwardedTable, keys: [String], db: Database) throws(SQLiteError) -> ForwardedRows {
        let s = try db.prepare(table.select)
        var rows = ForwardedRows(table: table)
        for key in keys {
            if table.integerKey {
                guard let value = Int64(key) else { continue }
                s.bind(1, value)
            } else {
                s.bind(1, key)
            }
            try s.forEachRow { row in rows.append(row) }
        }
        return rows
    }
}
