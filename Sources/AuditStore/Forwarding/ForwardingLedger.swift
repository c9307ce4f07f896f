import AuditSupport
import Synchronization

/// The forwarder's connection to the local store, its outbox: the host's identity, the committed events
/// to send in primary key order, and the forwarding state `audit status` shows. Every call blocks on
/// SQLite: call it from a thread of its own (`OwnThread`), never from the cooperative pool.
public final class ForwardingLedger: Sendable {
    let connection: Mutex<Database>
    /// The last backlog count, which later counts update by the events since and the events confirmed
    /// since, instead of counting again: during a long outage the backlog holds millions of events, and
    /// counting them every 2 s read the whole backlog each time (1M events: 50 ms warm, 230 ms cold).
    /// Counted afresh every 10 minutes, which also takes in events stored late behind the count.
    private let lastCount = Mutex<BacklogCount?>(nil)

    private struct BacklogCount {
        var afterNs: Int64
        var throughNs: Int64
        var rows: Int64
        var at: ContinuousClock.Instant
    }

    /// The most text a batch of events or changed rows carries (always at least one row), beside its
    /// number of rows: a row can be megabytes (a container's labels, a snapshot's config, an exec's
    /// command line), and 5,000 of them read at once held gigabytes in the collector and passed
    /// PostgreSQL's 1 GB limit on a parameter. 5,000 ordinary events are about 1.5 MB, well under it.
    public static let batchBytes = 8 << 20

    public init(path: String) throws(SQLiteError) {
        connection = Mutex(try Database(path: path))
    }

    /// The store's host id (made by migration 009), with its name set to `name` if it changed.
    public func identity(name: String) throws(SQLiteError) -> HostIdentity {
        try connection.withLock { (db) throws(SQLiteError) -> HostIdentity in
            let rename = try db.prepare("UPDATE host_identity SET name = ?1 WHERE id = 1 AND name <> ?1")
            rename.bind(1, name)
            try rename.run()
            let read = try db.prepare("SELECT host_id, name FROM host_identity WHERE id = 1")
            guard try read.step(), let id = read.string(0) else {
                throw SQLiteError(code: 1, message: "the store \(db.path) has no host identity (migration 009); it was changed by hand", sql: nil)
            }
            return HostIdentity(hostID: id, name: read.string(1) ?? name)
        }
    }

    /// Up to `limit` events after `cursor`, in primary key order, cut before the event that would take
    /// their text past `maxBytes` (never before the first).
    public func events(after cursor: ForwardCursor, limit: Int, maxBytes: Int = ForwardingLedger.batchBytes) throws(SQLiteError) -> [ForwardedEvent] {
        try connection.withLock { (db) throws(SQLiteError) -> [ForwardedEvent] in
            let s = try db.prepare("""
                SELECT e.time_ns, e.actor, e.action, a.type, a.docker_id, e.detail, s.attributes, e.extra, e.scope, e.source, a.project, a.service
                FROM events e JOIN actors a ON a.id = e.actor JOIN attribute_sets s ON s.id = e.attribute_set
                WHERE (e.time_ns, e.actor, e.action) > (?1, ?2, ?3)
                ORDER BY e.time_ns, e.actor, e.action LIMIT ?4
                """)
            defer { s.reset() }
            s.bind(1, cursor.timeNs)
            s.bind(2, cursor.actor)
            s.bind(3, cursor.action)
            s.bind(4, Int64(limit))
            var out: [ForwardedEvent] = []
            out.reserveCapacity(min(limit, 5_000))
            var bytes = 0
            while try s.step() {
                let action = s.string(2) ?? ""
                let event = ForwardedEvent(
                    timeNs: s.int64(0), type: s.string(3) ?? "", actorID: s.string(4) ?? "", action: action, detail: s.string(5),
                    attributes: s.string(6) ?? "{}", extra: s.string(7), scope: s.string(8),
                    source: EventSource(rawValue: s.int64(9)) ?? .stream, project: s.string(10), service: s.string(11),
                    cursor: ForwardCursor(timeNs: s.int64(0), actor: s.int64(1), action: action))
                let size = event.bytes
                if !out.isEmpty && bytes + size > maxBytes { break }
                bytes += size
                out.append(event)
            }
            return out
        }
    }

    /// How many events lie at or after `fromNs` and at or before `cursor`: the forwarder compares it with
    /// what it sent there, to find an event committed behind its cursor.
    public func eventCount(fromNs: Int64, through cursor: ForwardCursor) throws(SQLiteError) -> Int {
        try connection.withLock { (db) throws(SQLiteError) -> Int in
            let s = try db.prepare("SELECT count(*) FROM events WHERE time_ns >= ?1 AND time_ns <= ?2 AND (time_ns, actor, action) <= (?2, ?3, ?4)")
            s.bind(1, fromNs)
            s.bind(2, cursor.timeNs)
            s.bind(3, cursor.actor)
            s.bind(4, cursor.action)
            _ = try s.step()
            return Int(s.int64(0))
        }
    }

    /// Events after `confirmedNs` (all of them when nil), counted up to `limit`, with the oldest of them
    /// and the newest event's time.
    public func backlog(afterNs confirmedNs: Int64?, limit: Int64 = 10_000_000) throws(SQLiteError) -> Backlog {
        let afterNs = confirmedNs ?? .min
        return try connection.withLock { (db) throws(SQLiteError) -> Backlog in
            let range = try db.prepare("SELECT (SELECT min(time_ns) FROM events WHERE time_ns > ?), (SELECT max(time_ns) FROM events)")
            range.bind(1, afterNs)
            _ = try range.step()
            let newest = range.optionalInt64(1) ?? .min
            // (above, through]: the reader's inclusive count from the next nanosecond.
            func count(above: Int64, through: Int64, limit: Int64) throws(SQLiteError) -> Int64 {
                guard above < through else { return 0 }
                return try StoreReader(database: db).eventCount(fromNs: above + 1, toNs: through, limit: limit)
            }
            let previous = lastCount.withLock { $0 }
            let rows: Int64
            if let p = previous, ContinuousClock.now - p.at < .seconds(600), p.afterNs <= afterNs, afterNs <= p.throughNs, p.throughNs <= newest {
                // What was confirmed since goes, what was stored since comes: two short ranges.
                rows = max(0, p.rows - (try count(above: p.afterNs, through: afterNs, limit: .max)) + (try count(above: p.throughNs, through: newest, limit: .max)))
                lastCount.withLock { $0 = BacklogCount(afterNs: afterNs, throughNs: newest, rows: rows, at: p.at) }
            } else {
                rows = try count(above: afterNs, through: newest, limit: limit)
                lastCount.withLock { $0 = BacklogCount(afterNs: afterNs, throughNs: newest, rows: rows, at: .now) }
            }
            return Backlog(rows: min(rows, limit), oldestPendingNs: range.optionalInt64(0), newestNs: range.optionalInt64(1))
        }
    }

    /// Gaps reconciled after `afterNs`: the earliest start among them and the latest reconciliation time.
    /// Reconciliation stores what changed in a gap with times inside it, after live events that follow it
    /// may already have been forwarded.
    public func gapsReconciled(afterNs: Int64) throws(SQLiteError) -> (fromNs: Int64, reconciledNs: Int64)? {
        try connection.withLock { (db) throws(SQLiteError) -> (fromNs: Int64, reconciledNs: Int64)? in
            let s = try db.prepare("SELECT min(from_ns), max(reconciled_ns) FROM gaps WHERE reconciled_ns > ?")
            s.bind(1, afterNs)
            guard try s.step(), let from = s.optionalInt64(0), let reconciled = s.optionalInt64(1) else { return nil }
            return (from, reconciled)
        }
    }

    public func state(target: String) throws(SQLiteError) -> ForwardingState? {
        try connection.withLock { (db) throws(SQLiteError) -> ForwardingState? in
            try StoreReader(database: db).forwardingStates().first { $0.target == target }
        }
    }

    public func record(_ state: ForwardingState) throws(SQLiteError) {
        try connection.withLock { (db) throws(SQLiteError) in
            let s = try db.prepare("""
                INSERT INTO forwarding (target, confirmed_ns, pending_rows, last_success_ns, last_error, last_error_ns, gaps_checked_ns, updated_ns,
                                        copy_rows_left)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                ON CONFLICT (target) DO UPDATE SET confirmed_ns = ?2, pending_rows = ?3, last_success_ns = ?4, last_error = ?5,
                    last_error_ns = ?6, gaps_checked_ns = ?7, updated_ns = ?8, copy_rows_left = ?9
                """)
            s.bind(1, state.target)
            s.bind(2, state.confirmedNs)
            s.bind(3, state.pendingRows)
            s.bind(4, state.lastSuccessNs)
            s.bind(5, state.lastError)
            s.bind(6, state.lastErrorNs)
            s.bind(7, state.gapsCheckedNs)
            s.bind(8, state.updatedNs)
            s.bind(9, state.copyRowsLeft)
            try s.run()
        }
    }
}

/// What PostgreSQL has not confirmed yet.
public struct Backlog: Sendable, Equatable {
    public var rows: Int64
    public var oldestPendingNs: Int64?
    public var newestNs: Int64?

    /// Seconds from the newest event PostgreSQL confirmed (else the oldest pending one) to the newest
    /// stored; 0 when nothing is pending.
    public func lagSeconds(confirmedNs: Int64?) -> Double {
        guard rows > 0, let newestNs, let from = confirmedNs ?? oldestPendingNs else { return 0 }
        return Double(newestNs.distance(saturatingTo: from)) / 1e9
    }
}

extension StoreReader {
    /// This host's identity; nil for a store older than migration 009 (opened read-only, not migrated).
    public func hostIdentity() throws(SQLiteError) -> HostIdentity? {
        guard try hasTable("host_identity") else { return nil }
        let s = try db.prepare("SELECT host_id, name FROM host_identity WHERE id = 1")
        guard try s.step(), let id = s.string(0) else { return nil }
        return HostIdentity(hostID: id, name: s.string(1) ?? "")
    }

    /// Every forwarding target this store has sent to, as the forwarder last recorded it.
    public func forwardingStates() throws(SQLiteError) -> [ForwardingState] {
        guard try hasTable("forwarding") else { return [] }
        // A store read without migrating may predate 010's change log.
        let copyRowsLeft = try hasTable("forward_changes") ? "copy_rows_left" : "0"
        var states: [ForwardingState] = []
        try db.prepare("""
            SELECT target, confirmed_ns, pending_rows, last_success_ns, last_error, last_error_ns, gaps_checked_ns, updated_ns, \(copyRowsLeft)
            FROM forwarding ORDER BY target
            """).forEachRow { row in
            states.append(ForwardingState(target: row.string(0) ?? "", confirmedNs: row.optionalInt64(1), pendingRows: row.int64(2),
                                          lastSuccessNs: row.optionalInt64(3), lastError: row.string(4), lastErrorNs: row.optionalInt64(5),
                                          gapsCheckedNs: row.int64(6), updatedNs: row.int64(7), copyRowsLeft: row.int64(8)))
        }
        return states
    }

    /// Rows changed since a forwarding target last confirmed the change log (migration 010): the log
    /// keeps only what is not confirmed yet, one entry per row (an hour and container for exec_commands).
    public func pendingForwardChanges() throws(SQLiteError) -> Int64 {
        guard try hasTable("forward_changes") else { return 0 }
        let s = try db.prepare("SELECT count(*) FROM forward_changes")
        _ = try s.step()
        return s.int64(0)
    }

    private func hasTable(_ name: String) throws(SQLiteError) -> Bool {
        let s = try db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
        s.bind(1, name)
        return try s.step()
    }
}

extension ForwardedEvent {
    /// The event's size as sent, about: its text's UTF-8 bytes and 8 for each number or NULL.
    fileprivate var bytes: Int {
        let texts = [type, actorID, action, attributes].reduce(0) { $0 + $1.utf8.count }
        let optional = [detail, extra, scope, project, service].reduce(0) { $0 + ($1?.utf8.count ?? 8) }
        return texts + optional + 16
    }
}
