import AuditSupport
import Synchronization

/// One difference a drift check found, as the store keeps it.
public struct DriftObservation: Sendable, Equatable {
    public var service: String
    public var containerID: String?
    public var containerName: String?
    public var field: String
    public var kind: FindingKind
    public var severity: Severity
    public var expected: String?
    public var actual: String?

    public init(service: String, containerID: String?, containerName: String?, field: String, kind: FindingKind, severity: Severity, expected: String?, actual: String?) {
        self.service = service
        self.containerID = containerID
        self.containerName = containerName
        self.field = field
        self.kind = kind
        self.severity = severity
        self.expected = expected
        self.actual = actual
    }

    /// Stable across checks: the same field of the same container (or service) is one finding.
    public func id(project: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(project)|\(service)|\(containerName ?? "-")|\(field)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "drift-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A stored drift finding with its lifetime.
public struct StoredDriftFinding: Sendable {
    public var id: String
    public var project: String
    public var observation: DriftObservation
    public var firstSeenNs: Int64
    public var lastSeenNs: Int64
    public var resolvedNs: Int64?

    public init(id: String, project: String, observation: DriftObservation, firstSeenNs: Int64, lastSeenNs: Int64, resolvedNs: Int64?) {
        self.id = id
        self.project = project
        self.observation = observation
        self.firstSeenNs = firstSeenNs
        self.lastSeenNs = lastSeenNs
        self.resolvedNs = resolvedNs
    }
}

/// Drift findings: opened when a check finds a difference, updated while it persists, closed when a
/// later check finds the field back in line.
public final class DriftFindingRepository: Sendable {
    private let connection: Mutex<Database>

    public init(path: String) throws(SQLiteError) {
        connection = Mutex(try Database(path: path))
    }

    /// Records one complete check of `project`: what it found stays or becomes open, every other open
    /// finding of the project is closed. Returns how many were opened and closed.
    @discardableResult
    public func record(project: String, observations: [DriftObservation], checkedNs: Int64) throws(SQLiteError) -> (opened: Int, closed: Int) {
        try connection.withLock { (db) throws(SQLiteError) -> (opened: Int, closed: Int) in
            try db.transaction { () throws(SQLiteError) -> (opened: Int, closed: Int) in
                var opened = 0
                var seen = Set<String>()
                let upsert = try db.prepare("""
                    INSERT INTO drift_findings (id, project, service, container_id, container_name, field, kind, severity, expected, actual, first_seen_ns, last_seen_ns)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
                    ON CONFLICT (id) DO UPDATE SET container_id = excluded.container_id, kind = excluded.kind, severity = excluded.severity,
                        expected = excluded.expected, actual = excluded.actual, last_seen_ns = excluded.last_seen_ns,
                        first_seen_ns = CASE WHEN drift_findings.resolved_ns IS NULL THEN drift_findings.first_seen_ns ELSE excluded.first_seen_ns END,
                        resolved_ns = NULL
                    """)
                let wasOpen = try db.prepare("SELECT resolved_ns IS NULL FROM drift_findings WHERE id = ?")
                for o in observations {
                    let id = o.id(project: project)
                    seen.insert(id)
                    wasOpen.bind(1, id)
                    let alreadyOpen = try wasOpen.step() && wasOpen.int64(0) == 1
                    wasOpen.reset()
                    if !alreadyOpen { opened += 1 }
                    upsert.bind(1, id); upsert.bind(2, project); upsert.bind(3, o.service); upsert.bind(4, o.containerID)
                    upsert.bind(5, o.containerName); upsert.bind(6, o.field); upsert.bind(7, o.kind.rawValue); upsert.bind(8, o.severity.rawValue)
                    upsert.bind(9, o.expected); upsert.bind(10, o.actual); upsert.bind(11, checkedNs)
                    try upsert.run()
                }
                let open = try db.prepare("SELECT id FROM drift_findings WHERE project = ? AND resolved_ns IS NULL")
                open.bind(1, project)
                var toClose: [String] = []
                try open.forEachRow { row in if let id = row.string(0), !seen.contains(id) { toClose.append(id) } }
                let close = try db.prepare("UPDATE drift_findings SET resolved_ns = ? WHERE id = ?")
                for id in toClose {
                    close.bind(1, checkedNs)
                    close.bind(2, id)
                    try close.run()
                }
                return (opened, toClose.count)
            }
        }
    }
}

extension StoreReader {
    /// Drift findings open at some point of [fromNs, toNs].
    public func driftFindings(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [StoredDriftFinding] {
        let s = try db.prepare("""
            SELECT id, project, service, container_id, container_name, field, kind, severity, expected, actual, first_seen_ns, last_seen_ns, resolved_ns
            FROM drift_findings WHERE first_seen_ns <= ? AND coalesce(resolved_ns, ?) >= ? ORDER BY first_seen_ns
            """)
        s.bind(1, toNs)
        s.bind(2, Int64.max)
        s.bind(3, fromNs)
        var result: [StoredDriftFinding] = []
        try s.forEachRow { (r) throws(SQLiteError) in
            let id = r.string(0) ?? ""
            guard let kind = FindingKind(rawValue: r.string(6) ?? ""), let severity = Severity(rawValue: r.string(7) ?? "") else {
                throw .unreadableRow("drift_findings", id: id, "unknown kind \"\(r.string(6) ?? "")\" or severity \"\(r.string(7) ?? "")\"")
            }
            result.append(StoredDriftFinding(
                id: id, project: r.string(1) ?? "",
                observation: DriftObservation(service: r.string(2) ?? "", containerID: r.string(3), containerName: r.string(4), field: r.string(5) ?? "",
                                              kind: kind, severity: severity, expected: r.string(8), actual: r.string(9)),
                firstSeenNs: r.int64(10), lastSeenNs: r.int64(11), resolvedNs: r.optionalInt64(12)))
        }
        return result
    }

    /// When the newest deployment record finished: the drift monitor checks right after each one.
    public func latestDeploymentFinish() throws(SQLiteError) -> Int64? {
        let s = try db.prepare("SELECT max(finished_ns) FROM deployments")
        defer { s.reset() }
        return try s.step() ? s.optionalInt64(0) : nil
    }
}
