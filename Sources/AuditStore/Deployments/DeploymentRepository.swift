import AuditSupport
import Deployments
import Synchronization

/// Deployment records, webhook deliveries and acks. Deployment posts are rare, so this writes on its
/// own connection (WAL, busy timeout) rather than through the event writer; the webhook server calls
/// in from several tasks, hence the mutex around the connection.
public final class DeploymentRepository: Sendable {
    private let connection: Mutex<Database>

    public enum Outcome: Sendable, Equatable {
        case stored(DeploymentRecord, created: Bool)
        case duplicateDelivery
        /// The delivery id was stored before with another body.
        case deliveryConflict
        case sourceConflict(existing: DeploymentRecord.Source)
        /// The record would widen or change a final record with the same id.
        case recordConflict(DeploymentConflict)
    }

    /// Opens (creating and migrating when needed) the store at `path`.
    public init(path: String) throws(SQLiteError) {
        connection = Mutex(try Database(path: path))
    }

    /// Stores `record`, merging it into a record with the same id (`DeploymentRecord.merged(with:)`).
    /// A delivery seen before, by its id or by its body's digest under any id, stores nothing; its id
    /// with another body, an id stored from another source (two systems claiming one deployment), or
    /// a post that would widen a final record, are conflicts and store nothing either.
    public func store(
        _ record: DeploymentRecord, deliveryID: String?, bodyDigest: String? = nil, bounds: DeploymentBounds? = nil,
        now: Int64 = Timestamp.now().nanoseconds
    ) throws(SQLiteError) -> Outcome {
        try connection.withLock { (db) throws(SQLiteError) -> Outcome in
            try db.transaction { () throws(SQLiteError) -> Outcome in
                if let deliveryID {
                    let seen = try db.prepare("SELECT body_digest FROM webhook_deliveries WHERE delivery_id = ?")
                    seen.bind(1, deliveryID)
                    defer { seen.reset() }
                    if try seen.step() {
                        if let bodyDigest, let stored = seen.string(0), stored != bodyDigest { return .deliveryConflict }
                        return .duplicateDelivery
                    }
                }
                if let bodyDigest {
                    let seen = try db.prepare("SELECT 1 FROM webhook_deliveries WHERE body_digest = ?")
                    seen.bind(1, bodyDigest)
                    defer { seen.reset() }
                    if try seen.step() { return .duplicateDelivery }
                }
                let outcome = Self.outcome(of: record, over: try Self.find(record.id, in: db), bounds: bounds, nowNs: now)
                guard case .stored(let merged, let created) = outcome else { return outcome }
                let upsert = try db.prepare("""
                    INSERT INTO deployments (id, source, status, started_ns, finished_ns, project, host, record, received_ns, updated_ns)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
                    ON CONFLICT (id) DO UPDATE SET status = excluded.status, started_ns = excluded.started_ns,
                        finished_ns = excluded.finished_ns, project = excluded.project, host = excluded.host,
                        record = excluded.record, updated_ns = excluded.updated_ns
                    """)
                upsert.bind(1, merged.id)
                upsert.bind(2, merged.source.rawValue)
                upsert.bind(3, merged.status.rawValue)
                upsert.bind(4, merged.startedAt.nanoseconds)
                upsert.bind(5, merged.finishedAt?.nanoseconds)
                upsert.bind(6, merged.project)
                upsert.bind(7, merged.host)
                upsert.bind(8, merged.wireJSON())
                upsert.bind(9, now)
                try upsert.run()
                // A delivery without an id is remembered by its body, so its replay is recognised too.
                if let key = deliveryID ?? bodyDigest {
                    let delivery = try db.prepare(
                        "INSERT INTO webhook_deliveries (delivery_id, deployment_id, received_ns, body_digest) VALUES (?, ?, ?, ?)")
                    delivery.bind(1, key)
                    delivery.bind(2, merged.id)
                    delivery.bind(3, now)
                    delivery.bind(4, bodyDigest)
                    try delivery.run()
                }
                return .stored(merged, created: created)
            }
        }
    }

    public func find(_ id: String) throws(SQLiteError) -> DeploymentRecord? {
        try connection.withLock { (db) throws(SQLiteError) in try Self.find(id, in: db) }
    }

    private static func find(_ id: String, in db: Database) throws(SQLiteError) -> DeploymentRecord? {
        let s = try db.prepare("SELECT record FROM deployments WHERE id = ?")
        s.bind(1, id)
        defer { s.reset() }
        guard try s.step(), let json = s.string(0) else { return nil }
        return try readRecord(json, id: id)
    }

    /// A stored record that no longer parses was written by another version; a reader that skipped it
    /// would report its changes as out-of-band, so it is an error naming the record.
    static func readRecord(_ json: String, id: String) throws(SQLiteError) -> DeploymentRecord {
        do throws(DeploymentInputError) {
            return try DeploymentRecord.parseWire(Array(json.utf8), defaultSource: .webhook)
        } catch {
            throw .unreadableRow("deployments", id: id, "\(error)")
        }
    }

    /// `audit ack`: records who accepted a finding, why, and until when.
    public func acknowledge(findingID: String, by: String, reason: String, atNs: Int64, expiresNs: Int64?) throws(SQLiteError) {
        try connection.withLock { (db) throws(SQLiteError) in
            let s = try db.prepare("INSERT INTO acks (finding_id, by, reason, at_ns, expires_ns) VALUES (?, ?, ?, ?, ?)")
            s.bind(1, findingID)
            s.bind(2, by)
            s.bind(3, reason)
            s.bind(4, atNs)
            s.bind(5, expiresNs)
            try s.run()
        }
    }
}

extension StoreReader {
    /// Deployments whose window overlaps [fromNs, toNs]; an in-progress one counts from its start on.
    /// Each carries `receivedAt`, when the store first received it, which bounds a sender's clock skew.
    public func deployments(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [DeploymentRecord] {
        let s = try db.prepare("""
            SELECT record, received_ns, id FROM deployments WHERE started_ns <= ? AND coalesce(finished_ns, ?) >= ? ORDER BY started_ns
            """)
        s.bind(1, toNs)
        s.bind(2, Int64.max)
        s.bind(3, fromNs)
        var records: [DeploymentRecord] = []
        try s.forEachRow { (row) throws(SQLiteError) in
            var record = try DeploymentRepository.readRecord(row.string(0) ?? "", id: row.string(2) ?? "")
            record.receivedAt = Timestamp(nanoseconds: row.int64(1))
            records.append(record)
        }
        return records
    }

    public func acks() throws(SQLiteError) -> [StoredAck] {
        var acks: [StoredAck] = []
        try db.prepare("SELECT finding_id, by, reason, at_ns, expires_ns FROM acks ORDER BY at_ns").forEachRow { row in
            acks.append(StoredAck(findingID: row.string(0) ?? "", by: row.string(1) ?? "", reason: row.string(2) ?? "", atNs: row.int64(3), expiresNs: row.optionalInt64(4)))
        }
        return acks
    }
}

/// An acknowledgement as stored: who accepted a finding, why, and until when.
public struct StoredAck: Sendable, Equatable {
    public var findingID: String
    public var by: String
    public var reason: String
    public var atNs: Int64
    public var expiresNs: Int64?

    public init(findingID: String, by: String, reason: String, atNs: Int64, expiresNs: Int64?) {
        self.findingID = findingID
        self.by = by
        self.reason = reason
        self.atNs = atNs
        self.expiresNs = expiresNs
    }
}
