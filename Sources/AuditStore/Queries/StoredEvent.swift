import AuditSupport
import DockerAPI

/// An event as read back from the store, attributes reassembled.
public struct StoredEvent: Sendable, Equatable {
    public var timeNano: Int64
    public var type: String
    public var action: String
    public var detail: String?
    public var actorID: String
    public var attributes: Attributes
    public var scope: String
    public var source: EventSource
    public var project: String?
    public var service: String?

    public var name: String? { attributes["name"] }

    public init(timeNano: Int64, type: String, action: String, detail: String?, actorID: String, attributes: Attributes, scope: String,
                source: EventSource, project: String?, service: String?) {
        self.timeNano = timeNano
        self.type = type
        self.action = action
        self.detail = detail
        self.actorID = actorID
        self.attributes = attributes
        self.scope = scope
        self.source = source
        self.project = project
        self.service = service
    }
}

/// Which stored events to read: a time window and optional filters, as `audit events` takes them.
public struct EventQuery: Sendable {
    public var sinceNs: Int64
    public var untilNs: Int64
    /// A container name or id (full or unique prefix).
    public var container: String?
    public var type: String?
    public var project: String?
    public var limit: Int?

    public init(sinceNs: Int64, untilNs: Int64, container: String? = nil, type: String? = nil, project: String? = nil, limit: Int? = nil) {
        self.sinceNs = sinceNs
        self.untilNs = untilNs
        self.container = container
        self.type = type
        self.project = project
        self.limit = limit
    }
}

extension StoreReader {
    /// Events in the window, oldest first, read in the primary key's time order. A container filter
    /// resolves to actor ids first and filters the window's rows by them: the (actor, time) index
    /// leaves out the health-probe family, which `audit events` shows too.
    public func events(_ query: EventQuery) throws(SQLiteError) -> [StoredEvent] {
        var sql = """
            SELECT \(Self.storedEventColumns)
            FROM events e JOIN actors a ON a.id = e.actor
            WHERE e.time_ns >= ? AND e.time_ns <= ?
            """
        var actorIDs: [Int64]?
        if let container = query.container {
            actorIDs = try containerActors(matching: container, sinceNs: query.sinceNs, untilNs: query.untilNs)
            sql += " AND e.actor IN (\(actorIDs!.map(String.init).joined(separator: ",")))"
        }
        if query.type != nil { sql += " AND a.type = ?3" }
        if query.project != nil { sql += " AND a.project = ?4" }
        sql += " ORDER BY e.time_ns, e.actor"
        if let limit = query.limit { sql += " LIMIT \(limit)" }
        if actorIDs?.isEmpty == true { return [] }
        let s = try db.prepare(sql)
        s.bind(1, query.sinceNs)
        s.bind(2, query.untilNs)
        if let type = query.type { s.bind(3, type) }
        if let project = query.project { s.bind(4, project) }
        return try readEvents(s)
    }

    /// The columns `readEvents` expects, from `events e JOIN actors a`.
    static let storedEventColumns = "e.time_ns, a.type, e.action, e.detail, a.docker_id, e.attribute_set, e.extra, e.scope, e.source, a.project, a.service"

    /// Rows of `storedEventColumns`, with each attribute set read and parsed once however many events
    /// share it (every event of a container does).
    func readEvents(_ s: Statement) throws(SQLiteError) -> [StoredEvent] {
        let setQuery = try db.prepare("SELECT attributes FROM attribute_sets WHERE id = ?")
        var sets: [Int64: Attributes] = [:]
        var out: [StoredEvent] = []
        try s.forEachRow { (row) throws(SQLiteError) in
            let setID = row.int64(5)
            var attributes: Attributes
            if let cached = sets[setID] {
                attributes = cached
            } else {
                setQuery.bind(1, setID)
                attributes = try setQuery.step() ? AttributeJSON.parse(setQuery.string(0) ?? "{}") : Attributes()
                setQuery.reset()
                sets[setID] = attributes
            }
            if let extra = row.string(6) { attributes = AttributeJSON.merge(attributes, AttributeJSON.parse(extra)) }
            out.append(StoredEvent(
                timeNano: row.int64(0), type: row.string(1) ?? "", action: row.string(2) ?? "", detail: row.string(3),
                actorID: row.string(4) ?? "", attributes: attributes, scope: row.string(7) ?? "local",
                source: EventSource(rawValue: row.int64(8)) ?? .stream, project: row.string(9), service: row.string(10)))
        }
        return out
    }

    /// Container actors whose id starts with `text` or whose name is `text`: any name a snapshot
    /// recorded, or the name its events carried in the window (looked up only there: events have no
    /// index by attribute set, and a store holds millions).
    public func containerActors(matching text: String, sinceNs: Int64 = .min, untilNs: Int64 = .max) throws(SQLiteError) -> [Int64] {
        let s = try db.prepare("""
            SELECT id FROM actors WHERE type = 'container' AND docker_id >= ?1 AND docker_id < ?1 || 'g'
            UNION
            SELECT DISTINCT e.actor FROM events e
            WHERE e.time_ns BETWEEN ?4 AND ?5 AND e.attribute_set IN (
                SELECT id FROM attribute_sets WHERE attributes LIKE '%"name":' || ?2 || '%' AND json_extract(attributes, '$.name') = ?3)
            UNION
            SELECT DISTINCT actor FROM container_snapshots WHERE name = ?3
            """)
        s.bind(1, text.lowercased())
        s.bind(2, JSONWriter.quoted(text))
        s.bind(3, text)
        s.bind(4, sinceNs)
        s.bind(5, untilNs)
        var ids: [Int64] = []
        try s.forEachRow { ids.append($0.int64(0)) }
        return ids
    }
}

/// Reads the flat JSON objects the store writes (attribute sets, per-event extras).
enum AttributeJSON {
    static func parse(_ json: String) -> Attributes {
        guard case .some(let attributes) = try? FlatJSON.stringMap(json) else { return Attributes() }
        return attributes
    }

    /// Per-event keys were split off the same map, so they never collide; merged back in key order.
    static func merge(_ a: Attributes, _ b: Attributes) -> Attributes {
        Attributes((a.pairs + b.pairs).sorted { $0.key < $1.key })
    }
}
