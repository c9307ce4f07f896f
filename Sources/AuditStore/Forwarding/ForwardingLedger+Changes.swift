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

    /// Up to `limit` log entries after `afterSeq`, in seq order, with their rows as they are now, cut
    /// before the entry that would take the rows past `maxBytes` (never before the first row); nil when
    /// there are none. A row changed again after it was read is logged again with a later seq.
    public func changes(afterSeq: Int64, limit: Int, maxBytes: Int = ForwardingLedger.batchBytes) throws(SQLiteError) -> ChangeBatch? {
        try connection.withLock { (db) throws(SQLiteError) -> ChangeBatch? in
            let log = try db.prepare("SELECT seq, tbl, row_key FROM forward_changes WHERE seq > ? ORDER BY seq LIMIT ?")
            log.bind(1, afterSeq)
            log.bind(2, Int64(limit))
            var entries: [(seq: Int64, table: ForwardedTable?, key: String?)] = []
            try log.forEachRow { row in
                entries.append((row.int64(0), row.string(1).flatMap(ForwardedTable.init(rawValue:)), row.string(2)))
            }
            guard !entries.isEmpty else { return nil }
            var reader = RowReader(db: db)
            var read: [ForwardedTable: ForwardedRows] = [:]
            var bytes = 0
            var taken = 0
            for entry in entries {
                // A table this binary does not forward (a newer migration's): nothing to send.
                if let table = entry.table, let key = entry.key {
                    let rows = try reader.rows(table, key: key)
                    if bytes > 0 && bytes + rows.bytes > maxBytes { break }
                    bytes += rows.bytes
                    read[table, default: ForwardedRows(table: table)].append(contentsOf: rows)
                }
                taken += 1
            }
            let rows = ForwardedTable.allCases.compactMap { read[$0] }.filter { $0.count > 0 }
            return ChangeBatch(throughSeq: entries[taken - 1].seq, entries: taken, rows: rows)
        }
    }

    /// One page of a full copy: the rows of up to `limit` keys of `table` after `key` (nil: from its
    /// first), cut before the key that would take them past `maxBytes` (never before the first), and
    /// the page's last key; nil once the table has no more.
    public func copyPage(_ table: ForwardedTable, after key: String?, limit: Int,
                         maxBytes: Int = ForwardingLedger.batchBytes) throws(SQLiteError) -> (rows: ForwardedRows, lastKey: String)? {
        try connection.withLock { (db) throws(SQLiteError) -> (rows: ForwardedRows, lastKey: String)? in
            let s = try db.prepare(table.keys)
            guard let next = table.bind(key: key, to: s) else { return nil }
            // An hour of a container's exec_commands holds a group per command (a handful; health checks
            // one): fewer keys a page keep the statement near `limit` rows.
            s.bind(next, Int64(table == .execCommands ? max(1, limit / 10) : limit))
            var keys: [String] = []
            try s.forEachRow { row in
                keys.append(table.keyKind == .integer ? String(row.int64(0)) : row.string(0) ?? "")
            }
            var reader = RowReader(db: db)
            var page = ForwardedRows(table: table)
            var last: String?
            for key in keys {
                let rows = try reader.rows(table, key: key)
                if page.bytes > 0 && page.bytes + rows.bytes > maxBytes { break }
                page.append(contentsOf: rows)
                last = key
            }
            return last.map { (page, $0) }
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

    /// Reads the rows one change-log key names, a statement per table prepared once.
    private struct RowReader {
        let db: Database
        var statements: [ForwardedTable: Statement] = [:]

        init(db: Database) { self.db = db }

        /// A key whose row is gone (retention) reads nothing.
        mutating func rows(_ table: ForwardedTable, key: String) throws(SQLiteError) -> ForwardedRows {
            let s: Statement
            if let prepared = statements[table] {
                s = prepared
            } else {
                s = try db.prepare(table.select)
                statements[table] = s
            }
            var rows = ForwardedRows(table: table)
            guard table.bind(key: key, to: s) != nil else { return rows }
            try s.forEachRow { row in rows.append(row) }
            return rows
        }
    }
}
