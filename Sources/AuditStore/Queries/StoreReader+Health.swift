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
