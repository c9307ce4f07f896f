import CSQLite

/// A prepared statement, finalized when released. Bind positions are 1-based as in SQLite.
public final class Statement {
    let handle: OpaquePointer
    private let database: Database
    let sql: String
    /// The first bind that failed since the last reset: `step` throws it, so a statement never runs
    /// with a parameter silently left NULL (GRDB checks every bind the same way).
    private var bindFailure: SQLiteError?

    // SQLite's SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(database: Database, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw database.error(rc, sql: sql) }
        self.handle = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    private func check(_ rc: Int32, _ index: Int32) {
        guard rc != SQLITE_OK, bindFailure == nil else { return }
        bindFailure = SQLiteError(code: rc, message: "binding parameter \(index): " + String(cString: sqlite3_errstr(rc)), sql: sql)
    }

    public func bind(_ index: Int32, _ value: Int64?) {
        check(value.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index), index)
    }

    public func bind(_ index: Int32, _ value: Int?) { bind(index, value.map(Int64.init)) }

    public func bind(_ index: Int32, _ value: Bool?) { bind(index, value.map { $0 ? Int64(1) : 0 }) }

    public func bind(_ index: Int32, _ value: String?) {
        guard var copy = value else { check(sqlite3_bind_null(handle, index), index); return }
        copy.withUTF8 { buffer in bindText(index, UnsafeRawBufferPointer(buffer)) }
    }

    /// The 64-bit variant: a length past `Int32.max` is SQLite's SQLITE_TOOBIG, never a trap.
    private func bindText(_ index: Int32, _ buffer: UnsafeRawBufferPointer) {
        let base = buffer.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
        check(sqlite3_bind_text64(handle, index, base.assumingMemoryBound(to: CChar.self), UInt64(buffer.count), Self.transient, UInt8(SQLITE_UTF8)), index)
    }

    /// Binds UTF-8 bytes as TEXT (the writer's canonical attribute JSON, never turned into a String).
    public func bind(_ index: Int32, text: [UInt8]?) {
        guard let text else { check(sqlite3_bind_null(handle, index), index); return }
        text.withUnsafeBytes { bindText(index, $0) }
    }

    public func bind(_ index: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { buffer in
            let base = buffer.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            check(sqlite3_bind_blob64(handle, index, base, UInt64(buffer.count), Self.transient), index)
        }
    }

    /// Advances one row: true while a row is available.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        if let failure = bindFailure {
            reset()
            throw failure
        }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw database.error(rc, sql: sql)
    }

    /// Runs a statement that returns no rows, then resets it for reuse.
    public func run() throws(SQLiteError) {
        defer { reset() }
        while try step() {}
    }

    public func reset() {
        bindFailure = nil
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    public func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeRawBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let data = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: count))
    }

    /// Steps through all rows, calling `body` for each, then resets.
    public func forEachRow(_ body: (Statement) throws(SQLiteError) -> Void) throws(SQLiteError) {
        defer { reset() }
        while try step() { try body(self) }
    }
}
