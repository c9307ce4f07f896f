import AuditStore
import AuditSupport
import Deployments
import DockerAPI
import Findings
import Foundation
import Logging
import Matcher
import Testing

/// The findings engine over its store protocol: once over an in-memory fake written from the
/// protocol's contract, once over a real SQLite store holding the same rows. Both must give the same
/// report, so a second store (the fleet's) has a test to pass.
@Suite struct FindingsEngineTests {
    static let t0: Int64 = 1_795_748_000_000_000_000
    static func at(_ seconds: Int64) -> Int64 { t0 + seconds * 1_000_000_000 }
    static let api = "c1aaaaaaaaaa0000"
    static let probe = "/bin/sh -c true"
    static let query = FindingsQuery(fromNs: t0, toNs: at(600), nowNs: at(700), host: "prod-1")

    /// A deployment recreates shop's api; afterwards its health probe runs every 30 s, a person execs
    /// into it and raises its memory by hand, and the drift check finds an orphan.
    static func events() -> [DockerEvent] {
        var events = [
            event("create", at: at(12)),
            event("start", at: at(13)),
            event("exec_start", at: at(100), detail: "sh -c vi /etc/app.conf", attributes: ["execID": "h1"]),
            event("update", at: at(200)),
        ]
        for i in Int64(1)...10 { events.append(event("exec_start", at: at(30 * i), detail: probe, attributes: ["execID": "p\(i)"])) }
        return events.sorted { $0.timeNano < $1.timeNano }
    }

    static func event(_ action: String, at ns: Int64, detail: String? = nil, attributes: [String: String] = [:]) -> DockerEvent {
        var attrs = ["name": "shop-api-1", "image": "shop/api:1", "com.docker.compose.project": "shop", "com.docker.compose.service": "api"]
        for (k, v) in attributes { attrs[k] = v }
        return DockerEvent(type: "container", action: action, detail: detail, actorID: api, attributes: Attributes(attrs), scope: "local", timeNano: ns)
    }

    static func snapshot(memory: Int64) -> ContainerSnapshot {
        ContainerSnapshot.decode(json: """
            {"id":"\(api)","name":"shop-api-1","imageID":"sha256:\(String(repeating: "1", count: 64))","imageRef":"shop/api:1",
             "created":"\(RFC3339.format(Timestamp(nanoseconds: at(12))))","status":"running","running":true,"env":[],"memory":\(memory),
             "labels":{"com.docker.compose.project":"shop","com.docker.compose.service":"api"},"healthcheck":{"Test":["CMD-SHELL","true"]},
             "ports":[],"mounts":[]}
            """)!
    }

    static let snapshots = [
        SnapshotRecord(containerID: api, takenNs: at(13) + 1_000_000, triggerNs: at(13), reason: "start", snapshot: snapshot(memory: 67_108_864)),
        SnapshotRecord(containerID: api, takenNs: at(200) + 1_000_000, triggerNs: at(200), reason: "update", snapshot: snapshot(memory: 134_217_728)),
    ]

    static func deployment() throws -> DeploymentRecord {
        try DeploymentRecord.parseWire(Array("""
            {"id":"cli-1","source":"cli","project":"shop","status":"success","started_at":"\(RFC3339.format(Timestamp(nanoseconds: at(10))))",
             "finished_at":"\(RFC3339.format(Timestamp(nanoseconds: at(20))))","commands":["docker compose -p shop up -d"],"touched":["shop-api-1"]}
            """.utf8), defaultSource: .cli)
    }

    static let orphan = DriftObservation(service: "old", containerID: "c2bbbbbbbbbb0000", containerName: "shop-old-1", field: "service",
                                         kind: .orphan, severity: .medium, expected: nil, actual: "shop-old-1")

    /// The same rows as the fake holds them.
    static func memoryStore() throws -> MemoryStore {
        let store = MemoryStore()
        store.events = events().map { e in
            StoredEvent(timeNano: e.timeNano, type: e.type, action: e.action, detail: e.detail, actorID: e.actorID, attributes: e.attributes,
                        scope: e.scope ?? "", source: .stream, project: e.attributes["com.docker.compose.project"], service: e.attributes["com.docker.compose.service"])
        }
        store.snapshotRows[api] = snapshots.map { SnapshotRow(takenNs: $0.takenNs, triggerNs: $0.triggerNs, reason: $0.reason, snapshot: $0.snapshot) }
        var record = try deployment()
        record.receivedAt = Timestamp(nanoseconds: at(21))
        store.records = [record]
        store.drift = [StoredDriftFinding(id: orphan.id(project: "shop"), project: "shop", observation: orphan, firstSeenNs: at(250), lastSeenNs: at(250), resolvedNs: nil)]
        store.intervals = [CoverageInterval(startedNs: t0, endNs: at(500), open: false)]
        return store
    }

    /// The same rows through the collector's writer and the webhook's repository.
    static func sqliteStore(_ path: String) async throws -> StoreReader {
        let writer = try EventWriter(path: path, logger: Logger(label: "test"))
        writer.openCoverage(dockerHost: "unix:///test.sock", startedNs: t0)
        writer.enqueue(events: events(), source: .stream)
        snapshots.forEach(writer.enqueue(snapshot:))
        writer.closeCoverage(endedNs: at(500), reason: "test")
        await writer.close()
        _ = try DeploymentRepository(path: path).store(try deployment(), deliveryID: nil, now: at(21))
        try DriftFindingRepository(path: path).record(project: "shop", observations: [orphan], checkedNs: at(250))
        return try StoreReader(path: path)
    }

    static func summary(_ model: ReportModel) -> [String] {
        model.findings.map { "\($0.kind.rawValue) \($0.severity.rawValue) \($0.status.rawValue) \($0.container.name ?? "-") \($0.detail)" }
    }

    @Test func theFakeFindsTheExecTheUpdateAndTheOrphanAndNotTheDeploymentOrTheProbes() throws {
        let store = try Self.memoryStore()
        let model = try FindingsEngine.evaluate(store, Self.query)
        #expect(model.findings.map(\.kind) == [.orphan, .update, .exec], "\(Self.summary(model))")
        let exec = try #require(model.findings.first { $0.kind == .exec })
        #expect(exec.severity == .high && exec.status == .open && exec.command == "sh -c vi /etc/app.conf")
        #expect(model.findings.first { $0.kind == .update }?.changes?.contains("memory 64 MiB → 128 MiB") == true, "\(Self.summary(model))")
        // The health probe's group is recognised from the snapshot and never read event by event.
        #expect(store.groupsRead == ["sh -c vi /etc/app.conf"])
        #expect(model.deployments.map(\.id) == ["cli-1"])
        #expect(model.coveragePercent == 500.0 / 600.0 * 100)
    }

    @Test func sqliteAndTheFakeGiveTheSameReport() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("findings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sqlite = try await Self.sqliteStore(dir + "/audit.db")
        let fromSQLite = try FindingsEngine.evaluate(sqlite, Self.query)
        let fromMemory = try FindingsEngine.evaluate(try Self.memoryStore(), Self.query)
        #expect(fromSQLite.findings.count == 3, "\(Self.summary(fromSQLite))")
        #expect(fromSQLite.findings == fromMemory.findings)
        #expect(fromSQLite.deployments.map(\.id) == fromMemory.deployments.map(\.id))
        #expect(fromSQLite.coverage == fromMemory.coverage)
        #expect(fromSQLite.attributed.map(\.event.action) == fromMemory.attributed.map(\.event.action))
        #expect(!fromSQLite.attributed.isEmpty, "the deployment's own create and start are in band")
    }

    @Test func filtersAndDriftKindsAreTyped() throws {
        let store = try Self.memoryStore()
        var query = Self.query
        query.minimumSeverity = .high
        #expect(try FindingsEngine.evaluate(store, query).findings.map(\.kind) == [.update, .exec])
        query = Self.query
        query.project = "other"
        #expect(try FindingsEngine.evaluate(store, query).findings.isEmpty)
        query = Self.query
        query.statuses = [.reconciled]
        store.drift[0].resolvedNs = Self.at(400)
        let reconciled = try FindingsEngine.evaluate(store, query).findings
        #expect(reconciled.map(\.kind) == [.orphan] && reconciled.first?.severity == .medium)
    }
}
