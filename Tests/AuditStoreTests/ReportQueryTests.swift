import AuditSchema
import Logging
import Testing
@testable import AuditStore
@testable import DockerAPI

/// The reads `audit report` is built on (migration 004): changes through the probe-free index, exec
/// commands summed per hour, and the interactive execs that run a probe's command.
@Suite struct ReportQueryTests {
    let logger = Logger(label: "test")
    static let hour: Int64 = 3_600_000_000_000
    static let probe = "/bin/sh -c curl -f localhost || exit 1"

    /// Two hours of probes with a person's exec, an update and a network event among them.
    static func history() -> [DockerEvent] {
        var events: [DockerEvent] = []
        for i in 0..<120 {
            let t = 10 * hour + Int64(i) * 60_000_000_000
            events.append(event("exec_create", at: t, attributes: ["execID": "p\(i)"], detail: probe))
            events.append(event("exec_start", at: t + 1, attributes: ["execID": "p\(i)"], detail: probe))
            events.append(event("exec_die", at: t + 2, attributes: ["execID": "p\(i)", "exitCode": "0"]))
            events.append(event("health_status", at: t + 3, detail: "healthy"))
        }
        events.append(event("exec_start", at: 10 * hour + 5, attributes: ["execID": "h1"], detail: "sh"))
        events.append(event("update", at: 11 * hour + 7))
        events.append(DockerEvent(type: "network", action: "connect", actorID: "n1", attributes: Attributes(["container": "c1", "name": "none"]), timeNano: 11 * hour + 8))
        return events
    }

    @Test func changesLeaveProbesCompanionsAndOtherTypesOut() async throws {
        try await withTemporaryStore { path in
            let writer = try EventWriter(path: path, logger: logger)
            writer.enqueue(events: Self.history(), source: .stream)
            await writer.close()
            let reader = try StoreReader(path: path)
            let changes = try reader.changes(fromNs: 0, toNs: .max)
            #expect(changes.map(\.action) == ["update"])
            #expect(changes.first?.attributes["com.docker.compose.project"] == "shop")
        }
    }

    @Test func execCommandsSumProbesPerHourAndKeepPeopleApart() async throws {
        try await withTemporaryStore { path in
            let writer = try EventWriter(path: path, logger: logger, batchLimit: 50)
            let history = Self.history()
            writer.enqueue(events: history, source: .stream)
            writer.enqueue(events: history, source: .stream)  // a replay: duplicates are not counted
            await writer.close()
            let reader = try StoreReader(path: path)
            let groups = try reader.execCommandGroups(fromNs: 0, toNs: .max).sorted { $0.command < $1.command }
            #expect(groups.map(\.command) == [Self.probe, "sh"])
            #expect(groups.map(\.count) == [120, 1])
            #expect(groups[0].firstNs == 10 * Self.hour + 1 && groups[0].lastNs == 10 * Self.hour + 119 * 60_000_000_000 + 1)
            // Status counts come from the writer's running totals, duplicates excluded.
            let status = try reader.status()
            #expect(status.eventsByType.map { "\($0.0) \($0.1)" } == ["container \(history.count - 1)", "network 1"])
            #expect(status.eventsBySource.map(\.1) == [history.count])
            let rows = try reader.db.prepare("SELECT hour, count FROM exec_commands WHERE command = ? ORDER BY hour")
            rows.bind(1, Self.probe)
            var perHour: [String] = []
            try rows.forEachRow { perHour.append("\($0.int64(0)):\($0.int64(1))") }
            #expect(perHour == ["10:60", "11:60"])
            // A window inside the second hour sees that hour's group only, and reads its events clipped.
            let late = try reader.execCommandGroups(fromNs: 11 * Self.hour + 30 * 60_000_000_000, toNs: 12 * Self.hour)
            #expect(late.map(\.command) == [Self.probe])
            let person = try #require(groups.first { $0.command == "sh" })
            let starts = try reader.execStarts(of: person, fromNs: 0, toNs: .max)
            #expect(starts.map(\.attributes).map { $0["execID"] } == ["h1"])
            let clipped = try reader.execStarts(of: groups[0], fromNs: 11 * Self.hour, toNs: 11 * Self.hour + 10 * 60_000_000_000)
            #expect(clipped.count == 10)
        }
    }

    @Test func anExecWithATtyIsFoundEvenWhenItRunsTheProbesCommand() async throws {
        try await withTemporaryStore { path in
            let writer = try EventWriter(path: path, logger: logger)
            writer.enqueue(events: Self.history(), source: .stream)
            writer.enqueue(exec: ExecRecord(execID: "p7", containerID: "c1", inspectedNs: 10 * Self.hour + 7 * 60_000_000_000 + 500, user: "root",
                                            privileged: false, tty: true, openStdin: true, entrypoint: "/bin/sh", arguments: ["-c", "curl -f localhost || exit 1"]))
            writer.enqueue(exec: ExecRecord(execID: "p8", containerID: "c1", inspectedNs: 10 * Self.hour + 8 * 60_000_000_000 + 500, user: "",
                                            privileged: false, tty: false, openStdin: false, entrypoint: "/bin/sh", arguments: []))
            await writer.close()
            let found = try StoreReader(path: path).interactiveExecStarts(fromNs: 0, toNs: .max)
            #expect(found.map { $0.attributes["execID"] } == ["p7"])
            #expect(found.first?.action == "exec_start")
        }
    }

    /// 004 must carry a store written under 001–003 forward: the summary is built from the events
    /// already there.
    @Test func migrationFourBackfillsTheExecSummaryOfAnOlderStore() async throws {
        try await withTemporaryStore { path in
            let old = try Database(path: path, migrate: false)
            try Migrator.apply(to: old, migrations: Array(Migrations.all.prefix(3)))
            try old.execute("""
                INSERT INTO actors (id, type, docker_id) VALUES (1, 'container', 'c1');
                INSERT INTO attribute_sets (id, attributes) VALUES (1, '{}');
                INSERT INTO events (time_ns, actor, action, detail, attribute_set) VALUES
                    (36000000000001, 1, 'exec_start', 'sh', 1), (36000000000002, 1, 'exec_start', 'sh', 1),
                    (36000000000003, 1, 'exec_create', 'sh', 1), (39600000000000, 1, 'exec_start', 'sh', 1);
                """)
            try Migrator.apply(to: old)
            let reader = StoreReader(database: old)
            let groups = try reader.execCommandGroups(fromNs: 0, toNs: .max)
            #expect(groups.map(\.count) == [3])
            let hours = try old.prepare("SELECT count(*) FROM exec_commands")
            try hours.step()
            #expect(hours.int64(0) == 2)
            #expect(try reader.status().eventsByType.map { "\($0.0) \($0.1)" } == ["container 4"])
        }
    }
}
