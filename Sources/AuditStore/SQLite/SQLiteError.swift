import CSQLite

/// A failed SQLite call: the result code, SQLite's message and the statement, so a report names the
/// query that failed.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        var text = "sqlite error \(code): \(message)"
        if let sql { text += " (in: \(sql.prefix(200)))" }
        return text
    }
}

extension SQLiteError {
    /// A row SQLite returned that this audit cannot read (written by another program or a newer
    /// audit): an error naming it, rather than a guess or a silently shorter answer.
    static func unreadableRow(_ table: String, id: String, _ reason: String) -> SQLiteError {
        SQLiteError(code: 20 /* SQLITE_MISMATCH */, message: "\(table) row \(id) cannot be read: \(reason); it was written by "
                    + "another program or a newer audit; to drop the row: "
                    + "sqlite3 STORE \"DELETE FROM \(table) WHERE id = '\(id)'\" (a deployment can then be posted again)", sql: nil)
    }
}
