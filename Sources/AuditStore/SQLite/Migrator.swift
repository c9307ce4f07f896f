import AuditSchema
import AuditSupport

/// Applies the numbered migrations from `Schema/` that the database has not seen, each in its own
/// transaction, recording it in `schema_migrations`. The schema is the contract: never edit an applied
/// migration; add the next number.
enum Migrator {
    static func apply(to db: Database, migrations: [Migration] = Migrations.all) throws(SQLiteError) {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ns INTEGER NOT NULL)
            """)
        let applied = try db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations")
        try applied.step()
        let current = applied.int64(0)
        applied.reset()
        let newest = migrations.map(\.version).max() ?? 0
        guard current <= newest else {
            throw SQLiteError(code: 1, message: "the database \(db.path) has schema version \(current), newer than this audit binary knows (\(newest)); upgrade audit", sql: nil)
        }
        for migration in migrations where migration.version > current {
            try db.transaction { () throws(SQLiteError) in
                try db.execute(migration.sql)
                let record = try db.prepare("INSERT INTO schema_migrations (version, name, applied_ns) VALUES (?, ?, ?)")
                record.bind(1, Int64(migration.version))
                record.bind(2, migration.name)
                record.bind(3, Timestamp.now().nanoseconds)
                try record.run()
            }
        }
    }
}
