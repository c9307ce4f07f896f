import AuditSchema
import AuditSupport
import Logging
import Testing
@testable import AuditStore
@testable import DockerAPI
#if canImport(Glibc)
import Glibc
#endif

/// A fresh store in a temporary directory, removed afterwards.
func withTemporaryStore<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/audit-store-test-XXXXXX".utf8CString)
    let dir = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
    defer { _ = system("rm -rf '\(dir)'") }
    return try await body(dir + "/audit.db")
}

func event(_ action: String, actor: String = "c1", at ns: Int64, attributes: [String: String] = [:], detail: String? = nil) -> DockerEvent {
    var attrs = ["name": "web-1", "image": "shop/api:1", "com.docker.compose.project": "shop", "com.docker.compose.service": "api"]
    for (k, v) in attributes { attrs[k] = v }
    return DockerEvent(type: "container", action: action, detail: detail, actorID: actor, attributes: Attributes(attrs), scope: "local", timeNano: ns)
}

@Suite struct StoreTests {
    let logger = Logger(label: "test")

    @Test func migratesAFreshDatabaseAndRecordsEachMigration() async throws {
        try await withTemporaryStore { path in
            let db = try Database(path: path)
            let s = try db.prepare("SELECT version, name FROM schema_migrations ORDER BY version")
            var applied: [String] = []
            try s.forEachRow { applied.append("\($0.int64(0)) \($0.string(1) ?? "")") }
            #expect(applied == Migrations.all.map { "\($0.version) \($0.name)" })
            // Opening again applies nothing twice.
            _ = try Database(path: path)
            var st = stat()
            #expect(stat(path, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o600, "the store may hold secrets from exec commands")
        }
    }

    @Test func everySchemaFileIsAMigration() throws {
        let file = String(#filePath)
        let schemaDir = String(file[..<file.utf8.firstRange(of: "/Tests/".utf8)!.lowerBound]) + "/Schema"
        let dir = try #require(opendir(schemaDir))
        defer { closedir(dir) }
        var files: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".sql") { files.append(name) }
        }
        #expect(files.sorted() == Migrations.all.map(\.name))
        #expect(Migrations.all.map(\.version) == Array(1...Migrations.all.count))
    }

    @Test func storesEachEventOnceAndEachLabelSetOnce() async throws {
        try await withTemporaryStore { path in
            let writer = try EventWriter(path: path, logger: logger)
            var events: [DockerEvent] = []
            for i in 0..<100 {
                let start = i % 2 == 0
                events.append(event(start ? "exec_start" : "exec_die", at: 1_000 + Int64(i), attributes: ["execID": "e\(i)"], detail: start ? "sh -c date" : nil))
            }
            writer.enqueue(events.map(StreamItem.event), source: .stream)
            // The daemon's replay overlaps: the same events again must not be stored twice.
            writer.enqueue(events.map(StreamItem.event), source: .stream)
            await writer.close()
            #expect(writer.statistics.eventsStored == 100)
            #expect(writer.statistics.duplicatesSkipped == 100)
            let reader = try StoreReader(path: path)
            let stored = try reader.events(EventQuery(sinceNs: 0, untilNs: .max))
            #expect(stored.count == 100)
            #expect(stored[0].attributes["execID"] == "e0")
            #expect(stored[0].detail == "sh -c date")
            #expect(stored[0].attributes["com.docker.compose.project"] == "shop")
            #expect(stored[0].project == "shop" && stored[0].service == "api")
            let sets = try reader.db.prepare("SELECT count(*) FROM attribute_sets")
            try sets.step()
            #expect(sets.int64(0) == 1, "per-event keys (execID) must not multiply label sets")
        }
    }

    @Test func quarantinesMalformedLinesWithRawBytes() async throws {
        try await withTemporaryStore { path in
            let writer = try EventWriter(path: path, logger: logger)
            writer.enqueue([EventDecoder.decode("{\"Type\":"), .event(event("start", at: 5))], source: .ingest)
            await writer.close()
            let status = try StoreReader(path: path).status()
            #expect(status.quarantinedCount == 1)
            #expect(status.recentQuarantine.first?.preview == "{\"Type\":")
            #expect(status.eventsBySource.first?.0 == .ingest)
        }
    }

    @Test func findsEventsByContainerNameOrIdPrefix() async throws {
        try await withTemporaryStore { path in
            let writer = try EventWriter(path: path, logger: logger)
            writer.enqueue([.event(event("start", actor: "abcdef0123", at: 10)), .event(event("start", actor: "99ffee", at: 11, attributes: ["name": "other"]))], source: .stream)
            await writer.close()
            let reader = try StoreReader(path: path)
            #expect(try reader.events(EventQuery(sinceNs: 0, untilNs: 100, container: "abcdef")).map(\.actorID) == ["abcdef0123"])
            #expect(try reader.events(EventQuery(sinceNs: 0, untilNs: 100, container: "other")).map(\.actorID) == ["99ffee"])
            #expect(try reader.events(EventQuery(sinceNs: 0, untilNs: 100, container: "nope")).isEmpty)
            #expect(try reader.events(EventQuery(sinceNs: 11, untilNs: 100)).count == 1)
        }
    }

    @Test func theWriteAheadLogStartsOverDuringALongBurst() async throws {
        try await withTemporaryStore { path in
            // 20 MB of events with a 256 KiB limit: without it the log holds everything written since
            // the last moment the checkpointer found the writer idle, up to the whole 20 MB.
            let writer = try EventWriter(path: path, logger: logger, logLimitBytes: 256 << 10)
            let padding = String(repeating: "x", count: 1_000)
            var largestLog: Int64 = 0
            for batch in 0..<20 {
                let events = (0..<1_000).map { i in
                    let n = batch * 1_000 + i
                    return StreamItem.event(event("exec_start", at: 1_000 + Int64(n), attributes: ["execID": "e\(n)"], detail: "sh -c \(padding)\(n)"))
                }
                writer.enqueue(events, source: .ingest)
                await writer.flush()
                var st = stat()
                if stat(path + "-wal", &st) == 0 { largestLog = max(largestLog, Int64(st.st_size)) }
            }
            await writer.close()
            #expect(writer.statistics.eventsStored == 20_000)
            var db = stat()
            #expect(stat(path, &db) == 0 && db.st_size > 16 << 20)
            #expect(largestLog < 4 << 20, "the log reached \(largestLog) bytes")
            #expect(try StoreReader(path: path).events(EventQuery(sinceNs: 0, untilNs: .max)).count == 20_000)
        }
    }

    @Test func anIntervalLeftOpenByACrashEndsAtItsLastHeartbeat() async throws {
        try await withTemporaryStore { path in
            // The writer thread wakes only when flushed (its interval outlasts the test), so the only
            // heartbeats are those of the two flushes below: none can land after the one read here.
            let crashed = try EventWriter(path: path, logger: logger, flushIntervalMs: 600_000)
            crashed.openCoverage(dockerHost: "unix:///x", startedNs: 1_000)
            await crashed.flush()
            let firstBeat = try coverageRow(path, dockerHost: "unix:///x")
            // The writer beats at most once a second; the second beat shows which one the end follows.
            try await Task.sleep(for: .milliseconds(1_100))
            await crashed.flush()
            let lastBeat = try coverageRow(path, dockerHost: "unix:///x")
            #expect(lastBeat.lastSeenNs > firstBeat.lastSeenNs, "the heartbeat did not move last_seen_ns")
            #expect(lastBeat.endedNs == nil)

            // No close: as if killed. The next writer closes it, some time after that last beat.
            try await Task.sleep(for: .milliseconds(100))
            let nextStartedNs = Timestamp.now().nanoseconds
            let next = try EventWriter(path: path, logger: logger)
            await next.close()

            let closed = try coverageRow(path, dockerHost: "unix:///x")
            // ended_ns itself, not lastCoverage's coalesce(ended_ns, last_seen_ns), which would hide an
            // interval left open.
            #expect(closed.endedNs == lastBeat.lastSeenNs, "the interval must end at the last heartbeat written")
            #expect(try #require(closed.endedNs) < nextStartedNs, "ended when the next writer started, not when the first died")
            let last = try #require(try StoreReader(path: path).lastCoverage(dockerHost: "unix:///x"))
            #expect(last.reason == "collector stopped unexpectedly")
            #expect(last.endNs == lastBeat.lastSeenNs)
        }
    }

    /// The one coverage row of `dockerHost` as stored: its heartbeat and its end (nil while open).
    private func coverageRow(_ path: String, dockerHost: String) throws -> (lastSeenNs: Int64, endedNs: Int64?) {
        let reader = try StoreReader(path: path)
        let row = try reader.db.prepare("SELECT last_seen_ns, ended_ns FROM coverage WHERE docker_host = ?")
        row.bind(1, dockerHost)
        defer { row.reset() }
        try #require(try row.step(), "no coverage row for \(dockerHost)")
        let found = (lastSeenNs: row.int64(0), endedNs: row.optionalInt64(1))
        #expect(try row.step() == false, "more than one coverage row for \(dockerHost)")
        return found
    }
}


@Suite struct CanonicalStorageTests {
    let logger = Logger(label: "test")

    /// A stream event (kept bytes) and a reconciliation event (decoded pairs) of the same container
    /// must share one label set, and read back identically.
    @Test func keptBytesAndDecodedPairsStoreTheSameLabelSet() async throws {
        try await withTemporaryStore { path in
            let line = #"{"Type":"container","Action":"exec_die","Actor":{"ID":"c1","Attributes":{"com.docker.compose.project":"shop","execID":"e1","exitCode":"0","image":"busybox","name":"web"}},"time":1,"timeNano":1000000000}"#
            guard case .event(let streamed) = EventDecoder.decode(line) else { Issue.record("did not decode"); return }
            #expect(streamed.attributes.canonicalParts != nil)
            let reconciled = DockerEvent(type: "container", action: "update", actorID: "c1",
                                         attributes: Attributes(["name": "web", "image": "busybox", "com.docker.compose.project": "shop", "changes": "memory"]),
                                         scope: "local", timeNano: 2_000_000_000)
            let writer = try EventWriter(path: path, logger: logger)
            writer.enqueue([.event(streamed)], source: .stream)
            await writer.flush()
            writer.enqueue(events: [reconciled], source: .reconciliation)
            await writer.close()
            let reader = try StoreReader(path: path)
            let sets = try reader.db.prepare("SELECT attributes FROM attribute_sets")
            var texts: [String] = []
            try sets.forEachRow { texts.append($0.string(0) ?? "") }
            #expect(texts == [#"{"com.docker.compose.project":"shop","image":"busybox","name":"web"}"#])
            let stored = try reader.events(EventQuery(sinceNs: 0, untilNs: .max))
            #expect(stored.map(\.attributes) == [streamed.attributes, reconciled.attributes])
            #expect(stored.first?.project == "shop")
        }
    }

    /// Issue 10: what `json.dumps` writes stores the rows and label set Docker's compact bytes do, and
    /// podman's pull (an empty `Actor.ID`, captured from podman 4.3.1) is stored under its reference.
    @Test func reserialisedLinesAndPodmanPullsStoreLikeDockersOwn() async throws {
        try await withTemporaryStore { path in
            let lines = [
                #"{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"image":"busybox","name":"web"}},"time":1,"timeNano":1000000000}"#,
                #"{"Type": "container", "Action": "die", "Actor": {"ID": "c1", "Attributes": {"name": "web", "image": "busybox", "exitCode": "0"}}, "time": 2, "timeNano": 2000000000}"#,
                #"{"status":"pull","Type":"image","Action":"pull","Actor":{"ID":"","Attributes":{"containerExitCode":"0","image":"","name":"docker-archive:/tmp/fuzz-podman/img.tar","podId":""}},"scope":"local","time":1796169985,"timeNano":1796169985843414298}"#,
            ]
            let writer = try EventWriter(path: path, logger: logger)
            writer.enqueue(lines.map { EventDecoder.decode($0) }, source: .ingest)
            await writer.close()
            let reader = try StoreReader(path: path)
            #expect(try reader.status().quarantinedCount == 0)
            let sets = try reader.db.prepare("SELECT attributes FROM attribute_sets ORDER BY id")
            var texts: [String] = []
            try sets.forEachRow { texts.append($0.string(0) ?? "") }
            #expect(texts.first == #"{"image":"busybox","name":"web"}"#)
            #expect(texts.count == 2)
            let stored = try reader.events(EventQuery(sinceNs: 0, untilNs: .max))
            #expect(stored.map(\.actorID) == ["c1", "c1", "docker-archive:/tmp/fuzz-podman/img.tar"])
        }
    }
}
