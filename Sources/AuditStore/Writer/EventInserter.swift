import AuditSupport

/// Inserts event rows for the writer, 32 to a statement whenever a row is certainly new.
///
/// Most of an insert's cost in SQLite is per statement (cursors opened on the table and its indexes,
/// the program started and halted), not per row. A row newer than everything stored or pending cannot
/// duplicate one (the key starts with the time), and the live stream is in time order, so nearly all
/// rows take the multi-row statement. Anything else (a replay overlapping what is stored, an older
/// dump) goes alone through `INSERT OR IGNORE`, which says whether it was new.
final class EventInserter {
    struct Row {
        var timeNano: Int64
        var actor: Int64
        var action: String
        var detail: String?
        var attributeSet: Int64
        var extra: [UInt8]?
        var scope: String?
        var source: Int64
    }

    static let rowsPerStatement = 32
    private static let columns = "(time_ns, actor, action, detail, attribute_set, extra, scope, source)"
    private static let placeholders = "(?, ?, ?, ?, ?, ?, ?, ?)"

    private let db: Database
    private let single: Statement
    private let multiple: Statement
    private var pending: [Row] = []
    /// The newest time stored or pending; `committedNewestNs` as of the last commit.
    private var newestNs: Int64
    private var committedNewestNs: Int64
    /// Rows a multi-row insert ignored although they looked new: only possible when another process
    /// writes the same store (an `audit ingest` beside the collector). `insert` had called them new.
    private var unexpectedDuplicates = 0

    init(db: Database) throws(SQLiteError) {
        self.db = db
        single = try db.prepare("INSERT OR IGNORE INTO events \(Self.columns) VALUES \(Self.placeholders)")
        let values = Array(repeating: Self.placeholders, count: Self.rowsPerStatement).joined(separator: ", ")
        multiple = try db.prepare("INSERT OR IGNORE INTO events \(Self.columns) VALUES \(values)")
        let newest = try db.prepare("SELECT coalesce(max(time_ns), -9223372036854775808) FROM events")
        try newest.step()
        newestNs = newest.int64(0)
        newest.reset()
        committedNewestNs = newestNs
        pending.reserveCapacity(Self.rowsPerStatement)
    }

    /// True when the row is new (stored now or with the next flush), false for a duplicate.
    func insert(_ row: Row) throws(SQLiteError) -> Bool {
        if row.timeNano > newestNs {
            newestNs = row.timeNano
            pending.append(row)
            if pending.count == Self.rowsPerStatement { try flush() }
            return true
        }
        // Pending rows first: one of them may be this row's twin.
        try flush()
        bind(row, to: single, at: 0)
        try single.run()
        return db.changes > 0
    }

    /// Writes what is pending; the writer calls it before committing.
    func flush() throws(SQLiteError) {
        guard !pending.isEmpty else { return }
        if pending.count == Self.rowsPerStatement {
            for (i, row) in pending.enumerated() { bind(row, to: multiple, at: Int32(i * 8)) }
            try multiple.run()
            unexpectedDuplicates += pending.count - db.changes
        } else {
            for row in pending {
                bind(row, to: single, at: 0)
                try single.run()
                unexpectedDuplicates += 1 - db.changes
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    func committed() { committedNewestNs = newestNs }

    /// How many rows reported new were ignored since the last call, for the writer's statistics.
    func takeUnexpectedDuplicates() -> Int {
        defer { unexpectedDuplicates = 0 }
        return unexpectedDuplicates
    }

    /// After a rollback: nothing pending was stored.
    func rolledBack() {
        pending.removeAll(keepingCapacity: true)
        newestNs = committedNewestNs
        unexpectedDuplicates = 0
    }

    private func bind(_ row: Row, to s: Statement, at offset: Int32) {
        s.bind(offset + 1, row.timeNano)
        s.bind(offset + 2, row.actor)
        s.bind(offset + 3, row.action)
        s.bind(offset + 4, row.detail)
        s.bind(offset + 5, row.attributeSet)
        s.bind(offset + 6, text: row.extra)
        s.bind(offset + 7, row.scope)
        s.bind(offset + 8, row.source)
    }
}
