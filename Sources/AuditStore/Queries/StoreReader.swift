import AuditSupport
import DockerAPI

/// A read connection to the store, for the collector's resume and reconciliation and for the commands
/// that show what is stored. Readers never block the writer (WAL).
public final class StoreReader {
    /// Only this module speaks SQL: everything else reads through methods (and `FindingsStore`).
    let db: Database

    /// Opens an existing store; a missing file is an error that says how to create one.
    public init(path: String) throws(SQLiteError) {
        guard Self.exists(path) else {
            throw SQLiteError(code: 14, message: "no audit store at \(path); start `audit collect` (or `audit ingest`) to create it, or pass --db", sql: nil)
        }
        db = try Database(path: path, readOnly: true)
    }

    /// Wraps a connection opened elsewhere (tests, the writer's path before the writer starts).
    public init(database: Database) { db = database }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The newest `timeNano` received from the live stream: where `since` resumes.
    public func lastStreamEventNs() throws(SQLiteError) -> Int64? {
        let s = try db.prepare("SELECT time_ns FROM events WHERE source = 0 ORDER BY time_ns DESC LIMIT 1")
        defer { s.reset() }
        return try s.step() ? s.int64(0) : nil
    }

    /// How many events lie in [fromNs, toNs], counting at most `limit`.
    public func eventCount(fromNs: Int64, toNs: Int64, limit: Int64 = .max) throws(SQLiteError) -> Int64 {
        let s = try db.prepare("SELECT count(*) FROM (SELECT 1 FROM events WHERE time_ns BETWEEN ? AND ? LIMIT ?)")
        s.bind(1, fromNs)
        s.bind(2, toNs)
        s.bind(3, limit)
        defer { s.reset() }
        _ = try s.step()
        return s.int64(0)
    }

    /// The latest snapshot of every container whose latest row is not a removal.
    public func latestSnapshots() throws(SQLiteError) -> [String: ContainerSnapshot] {
        let s = try db.prepare("""
            SELECT a.docker_id, cs.config FROM container_snapshots cs JOIN actors a ON a.id = cs.actor
            WHERE cs.id = (SELECT max(id) FROM container_snapshots WHERE actor = cs.actor)
            """)
        var result: [String: ContainerSnapshot] = [:]
        try s.forEachRow { row in
            guard let id = row.string(0), let json = row.string(1), let snapshot = ContainerSnapshot.decode(json: json) else { return }
            result[id] = snapshot
        }
        return result
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension StoreReader {
    /// The most recent coverage interval of `dockerHost`, if any: where the current gap began and why.
    public func lastCoverage(dockerHost: String) throws(SQLiteError) -> (endNs: Int64, reason: String?)? {
        let s = try db.prepare("""
            SELECT coalesce(ended_ns, last_seen_ns), end_reason FROM coverage WHERE docker_host = ? ORDER BY id DESC LIMIT 1
            """)
        s.bind(1, dockerHost)
        defer { s.reset() }
        guard try s.step() else { return nil }
        return (s.int64(0), s.string(1))
    }
}
