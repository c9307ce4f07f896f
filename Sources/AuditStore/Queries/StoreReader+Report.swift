import DockerAPI

/// The reads `audit report` needs besides events and deployments.
extension StoreReader {
    public struct SnapshotRow: Sendable {
        public var takenNs: Int64
        public var triggerNs: Int64?
        public var reason: String
        /// nil marks the container's removal.
        public var snapshot: ContainerSnapshot?
    }

    /// Every snapshot of the given containers, oldest first.
    public func snapshots(containerIDs: Set<String>) throws(SQLiteError) -> [String: [SnapshotRow]] {
        guard !containerIDs.isEmpty else { return [:] }
        let s = try db.prepare("""
            SELECT a.docker_id, cs.taken_ns, cs.trigger_ns, cs.reason, cs.config FROM container_snapshots cs
            JOIN actors a ON a.id = cs.actor
            WHERE a.type = 'container' AND a.docker_id IN (SELECT value FROM json_each(?)) ORDER BY cs.id
            """)
        s.bind(1, "[" + containerIDs.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        var result: [String: [SnapshotRow]] = [:]
        try s.forEachRow { row in
            let id = row.string(0) ?? ""
            result[id, default: []].append(SnapshotRow(takenNs: row.int64(1), triggerNs: row.optionalInt64(2), reason: row.string(3) ?? "",
                                                       snapshot: row.string(4).flatMap(ContainerSnapshot.decode(json:))))
        }
        return result
    }

    public struct ExecRow: Sendable {
        public var execID: String
        public var user: String?
        public var privileged: Bool
        public var tty: Bool
        public var entrypoint: String?
        public var arguments: [String]
    }

    public func execs(ids: Set<String>) throws(SQLiteError) -> [String: ExecRow] {
        guard !ids.isEmpty else { return [:] }
        let s = try db.prepare("""
            SELECT exec_id, user, privileged, tty, entrypoint, arguments FROM exec_sessions
            WHERE exec_id IN (SELECT value FROM json_each(?))
            """)
        s.bind(1, "[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        var result: [String: ExecRow] = [:]
        try s.forEachRow { row in
            let id = row.string(0) ?? ""
            let arguments = row.string(5).flatMap { try? FlatJSON.stringArray($0) } ?? []
            result[id] = ExecRow(execID: id, user: row.string(1), privileged: row.int64(2) != 0, tty: row.int64(3) != 0,
                                 entrypoint: row.string(4), arguments: arguments)
        }
        return result
    }

    public struct Interval: Sendable {
        public var startedNs: Int64
        public var endNs: Int64
        public var open: Bool
    }

    /// Connected intervals overlapping [fromNs, toNs], clipped to it.
    public func coverage(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [Interval] {
        let s = try db.prepare("""
            SELECT started_ns, coalesce(ended_ns, last_seen_ns), ended_ns IS NULL FROM coverage
            WHERE started_ns <= ? AND coalesce(ended_ns, last_seen_ns) >= ? ORDER BY started_ns
            """)
        s.bind(1, toNs)
        s.bind(2, fromNs)
        var result: [Interval] = []
        try s.forEachRow { row in
            result.append(Interval(startedNs: max(row.int64(0), fromNs), endNs: min(row.int64(1), toNs), open: row.int64(2) == 1))
        }
        return result
    }
}

extension StoreReader {
    /// Every stored `create` of a compose-labelled container, whenever it happened, oldest first: the
    /// report's reconciliation section needs each running container's creation, which may be weeks
    /// older than the window. Creates are few, and `actors_by_project` narrows to labelled actors.
    public func composeContainerCreates() throws(SQLiteError) -> [StoredEvent] {
        let s = try db.prepare("""
            SELECT \(Self.storedEventColumns)
            FROM events e JOIN actors a ON a.id = e.actor
            WHERE a.type = 'container' AND a.project IS NOT NULL AND e.action = 'create'
            ORDER BY e.time_ns
            """)
        return try readEvents(s)
    }
}
