import AuditStore
import AuditSupport
import DockerAPI
import Logging

/// A store holding twenty days of one container as of now: its health probe every ten minutes, and a
/// person's `docker exec` ten days ago. Written through the collector's own writer.
enum AgedStore {
    static let dayNs: Int64 = 86_400_000_000_000
    static let container = "a9aaaaaaaaaa0000"
    static let probe = "/bin/sh -c true"
    static let person = "sh -c vi /etc/app.conf"

    static func write(_ path: String, nowNs: Int64) async throws {
        let start = nowNs - 20 * dayNs
        let writer = try EventWriter(path: path, logger: Logger(label: "test"))
        func event(_ action: String, _ at: Int64, _ detail: String?, _ execID: String?) -> DockerEvent {
            var attributes = ["name": "aged-api-1", "image": "aged/api:1", "com.docker.compose.project": "aged", "com.docker.compose.service": "api"]
            if let execID { attributes["execID"] = execID }
            return DockerEvent(type: "container", action: action, detail: detail, actorID: container, attributes: Attributes(attributes), scope: "local", timeNano: at)
        }
        var events = [event("create", start, nil, nil), event("start", start + 1_000_000_000, nil, nil)]
        for i in 0..<(20 * 144) {
            let at = start + 60_000_000_000 + Int64(i) * 600_000_000_000
            events += [event("exec_create", at, probe, "p\(i)"), event("exec_start", at + 1_000_000, probe, "p\(i)"),
                       event("exec_die", at + 2_000_000, nil, "p\(i)"), event("health_status", at + 3_000_000, "healthy", nil)]
        }
        events.append(event("exec_start", nowNs - 10 * dayNs, person, "h1"))
        let snapshot = ContainerSnapshot.decode(json: """
            {"id":"\(container)","name":"aged-api-1","imageID":"sha256:\(String(repeating: "2", count: 64))","imageRef":"aged/api:1",
             "created":"\(RFC3339.format(Timestamp(nanoseconds: start)))","status":"running","running":true,"env":[],"memory":0,
             "labels":{"com.docker.compose.project":"aged","com.docker.compose.service":"api"},"healthcheck":{"Test":["CMD-SHELL","true"]},
             "ports":[],"mounts":[]}
            """)
        writer.enqueue(events: events.sorted { $0.timeNano < $1.timeNano }, source: .ingest)
        writer.enqueue(snapshot: SnapshotRecord(containerID: container, takenNs: start + 2_000_000_000, triggerNs: nil, reason: "start", snapshot: snapshot))
        await writer.close()
    }

    /// Events of `actions` older than `ns`, straight from the file.
    static func count(_ path: String, olderThan ns: Int64, actions: [String]) throws -> Int64 {
        let db = try Database(path: path, readOnly: true)
        let s = try db.prepare("SELECT count(*) FROM events WHERE time_ns < ? AND action IN (SELECT value FROM json_each(?))")
        s.bind(1, ns)
        s.bind(2, "[" + actions.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        defer { s.reset() }
        _ = try s.step()
        return s.int64(0)
    }
}
