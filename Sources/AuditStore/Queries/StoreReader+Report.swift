import DockerAPI

/// The reads `audit report` needs besides events and deployments.
extension StoreReader {
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

    /// Connected intervals overlapping [fromNs, toNs], clipped to it.
    public func coverage(fromNs: Int64, toNs: Int64) throws(SQLiteError) -> [CoverageInterval] {
        let s = try db.prepare("""
            SELECT started_ns, coalesce(ended_ns, last_seen_ns), ended_ns IS NULL FROM coverage
            WHERE started_ns <= ? AND coalesce(ended_ns, last_seen_ns) >= ? ORDER BY started_ns
            """)
        s.bind(1, toNs)
        s.bind(2, fromNs)
        var result: [CoverageInterval] = []
        try s.forEachRow { row in
            result.append(CoverageInterval(startedNs: max(row.int64(0), fromNs), endNs: min(row.int64(1), toNs), open: row.int64(2) == 1))
        }
        return result
    }
}

extension StoreReader {
    /// Every stored `create` of a compose-labelled container, whenever it happened, oldest first: the
    /// report's reconciliation section needs each running container's creation, which may be weeks
    /// older than the window. Creates are few: migration 006's partial index holds only them, and the
    /// planner takes it for `e.action = 'create'` (not forced with INDEXED BY, so a store an older
    /// collector still holds at version 4 is read too, by a scan).
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

extension StoreReader {
    /// The compose containers running as of their latest snapshot. Reads the three fields it needs
    /// with `json_extract` rather than decoding each whole snapshot: a debug-build report spent ~40 ms
    /// decoding 340 snapshots it only needed the names and creation times of.
    public func runningComposeContainers() throws(SQLiteError) -> [RunningComposeContainer] {
        let s = try db.prepare("""
            SELECT a.docker_id, json_extract(cs.config, '$.name'), a.project, a.service, json_extract(cs.config, '$.created')
            FROM container_snapshots cs JOIN actors a ON a.id = cs.actor
            WHERE a.project IS NOT NULL AND cs.id = (SELECT max(id) FROM container_snapshots WHERE actor = cs.actor)
              AND json_extract(cs.config, '$.running') = 1
            """)
        var result: [RunningComposeContainer] = []
        try s.forEachRow { row in
            guard let id = row.string(0), let project = row.string(2) else { return }
            let name = row.string(1) ?? String(id.prefix(12))
            result.append(RunningComposeContainer(id: id, name: name.hasPrefix("/") ? String(name.dropFirst()) : name, project: project,
                                                  service: row.string(3), created: row.string(4)))
        }
        return result
    }
}
