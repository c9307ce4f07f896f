import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One SQLite connection. Not thread-safe: each owner (the writer thread, a reader) has its own.
public final class Database {
    let handle: OpaquePointer
    public let path: String

    /// Opens (creating with mode 0600 if needed) the database at `path` and applies pending migrations.
    public init(path: String, readOnly: Bool = false, migrate: Bool = true) throws(SQLiteError) {
        self.path = path
        if !readOnly { try Self.createPrivately(path) }
        _ = Self.configured
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "\(message): \(path)", sql: nil)
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        try execute("PRAGMA foreign_keys = ON")
        if !readOnly {
            // Takes effect only for a new, empty file (before WAL is on and tables exist). Larger pages
            // mean fewer page splits and WAL frames for the same rows.
            try execute("PRAGMA page_size = 16384")
            // Also only for a new file: pages a prune frees can be given back to the file system a few
            // at a time (`PRAGMA incremental_vacuum`, run by `StorePruner`) instead of by a VACUUM that
            // rewrites the whole store. A store made before this turns it on with `audit prune --vacuum`.
            // Cost measured on inserts shaped like the events table (1M rows in 5,000-row transactions, WAL,
            // 3 pairs): 345k–388k rows/s against 367k–396k without, 2–6%, for pointer-map pages.
            try execute("PRAGMA auto_vacuum = INCREMENTAL")
            try execute("PRAGMA journal_mode = WAL")
            // WAL + NORMAL: a commit survives a crash of the process (kill -9); only a power loss can
            // take back the last transactions, which the daemon's replay buffer then refills.
            try execute("PRAGMA synchronous = NORMAL")
            if migrate { try Migrator.apply(to: self) }
        }
        try execute("PRAGMA cache_size = -16000")
    }

    deinit { sqlite3_close_v2(handle) }

    /// Process-wide settings, applied once before any connection exists.
    private static let configured: Bool = {
        audit_sqlite3_disable_memstatus() == SQLITE_OK
    }()

    /// The file must not be readable by others: exec commands may carry secrets. SQLite gives the
    /// -wal and -shm files the main file's mode.
    ///
    /// An existing file is left alone, never opened here: closing any descriptor of a file drops every
    /// POSIX lock this process holds on it, including the shared lock another connection here (the
    /// writer, when the checkpointer or a repository opens) keeps in WAL mode. Another process then
    /// believes it is the last connection, checkpoints and deletes the WAL under the writer: a corrupt
    /// store (found by CI: "database disk image is malformed" after `audit deploy` ran beside the
    /// collector).
    ///
    /// An existing file readable by group or others (copied in, or created by an older version under
    /// another umask) is tightened to 0600 with its -wal and -shm: chmod works on the path, opening nothing.
    private static func createPrivately(_ path: String) throws(SQLiteError) {
        guard access(path, F_OK) != 0 else {
            for file in [path, path + "-wal", path + "-shm"] { tightenMode(file) }
            return
        }
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 && errno == EEXIST { return }  // created meanwhile by someone else
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot create database file \(path): \(reason); create its directory or choose another --db", sql: nil)
        }
        close(fd)
    }

    private static func tightenMode(_ file: String) {
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        _ = chmod(file, info.st_mode & 0o700)
    }

    public func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `body` in one transaction (BEGIN IMMEDIATE: take the write lock up front), committing on
    /// success and rolling back on error.
    public func transaction<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
