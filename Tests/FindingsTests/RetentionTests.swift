import AuditStore
import AuditSupport
import Deployments
import DockerAPI
import Findings
import Foundation
import Logging
import Testing

/// Retention on a real store: twenty days of a container probed every ten minutes, people exec'ing
/// into it, an update, a short-lived container, deployments, drift findings and acknowledgements,
/// pruned with `--retention 15d --probe-retention 7d` as of day 20.
@Suite struct RetentionTests {
    static let t0: Int64 = 1_795_000_000_000_000_000
    static let dayNs: Int64 = 86_400_000_000_000
    static func day(_ d: Double) -> Int64 { t0 + Int64(d * Double(dayNs)) }
    static let now = day(20)
    static let policy = RetentionPolicy(retentionNs: 15 * dayNs, probeRetentionNs: 7 * dayNs)
    static let api = "a1aaaaaaaaaa0000"
    static let old = "b1bbbbbbbbbb0000"
    static let probe = "/bin/sh -c true"
    static let person = "sh -c vi /etc/app.conf"
    static let probesPerDay = 144

    static func event(_ container: String, _ action: String, at ns: Int64, detail: String? = nil, attributes: [String: String] = [:]) -> DockerEvent {
        var attrs = ["name": container == api ? "shop-api-1" : "shop-old-1", "image": "shop/api:1",
                     "com.docker.compose.project": "shop", "com.docker.compose.service": container == api ? "api" : "old"]
        for (k, v) in attributes { attrs[k] = v }
        return DockerEvent(type: "container", action: action, detail: detail, actorID: container, attributes: Attributes(attrs), scope: "local", timeNano: ns)
    }

    static func exec(_ container: String, _ command: String, id: String, at ns: Int64) -> [DockerEvent] {
        [event(container, "exec_create", at: ns, detail: command, attributes: ["execID": id]),
         event(container, "exec_start", at: ns + 1_000_000, detail: command, attributes: ["execID": id]),
         event(container, "exec_die", at: ns + 50_000_000, attributes: ["execID": id, "exitCode": "0"])]
    }

    static func snapshot(_ id: String, memory: Int64) -> ContainerSnapshot {
        ContainerSnapshot.decode(json: """
            {"id":"\(id)","name":"shop-api-1","imageID":"sha256:\(String(repeating: "1", count: 64))","imageRef":"shop/api:1",
             "created":"\(RFC3339.format(Timestamp(nanoseconds: day(0) + 60_000_000_000)))","status":"running","running":true,"env":[],"memory":\(memory),
             "labels":{"com.docker.compose.project":"shop","com.docker.compose.service":"api"},"healthcheck":{"Test":["CMD-SHELL","true"]},
             "ports":[],"mounts":[]}
            """)!
    }

    static func deployment(_ id: String, from: Int64, to: Int64) throws -> DeploymentRecord {
        try DeploymentRecord.parseWire(Array("""
            {"id":"\(id)","source":"cli","project":"shop","status":"success","started_at":"\(RFC3339.format(Timestamp(nanoseconds: from)))",
             "finished_at":"\(RFC3339.format(Timestamp(nanoseconds: to)))","commands":["docker compose -p shop up -d"]}
            """.utf8), defaultSource: .cli)
    }

    static let orphan = DriftObservation(service: "old", containerID: old, containerName: "shop-old-1", field: "service",
                                         kind: .orphan, severity: .medium, expected: nil, actual: "shop-old-1")
    static let memoryDrift = DriftObservation(service: "api", containerID: api, containerName: "shop-api-1", field: "memory",
                                              kind: .configDrift, severity: .high, expected: "64m", actual: "128m")

    /// Writes the history through the collector's writer, the webhook's repository and the drift repository.
    static func makeStore(_ path: String) async throws {
        let writer = try EventWriter(path: path, logger: Logger(label: "test"))
        var events: [DockerEvent] = [event(api, "create", at: day(0) + 60_000_000_000), event(api, "start", at: day(0) + 61_000_000_000)]
        for i in 0..<(20 * probesPerDay) {
            let at = day(0) + 120_000_000_000 + Int64(i) * (dayNs / Int64(probesPerDay))
            events += exec(api, probe, id: "p\(i)", at: at)
            events.append(event(api, "health_status", at: at + 60_000_000, detail: "healthy"))
        }
        events += exec(api, person, id: "h-old", at: day(2))
        events += exec(api, person, id: "h-mid", at: day(10))
        events += exec(api, probe, id: "t-mid", at: day(9))
        events += exec(api, person, id: "h-new", at: day(16))
        events.append(event(api, "update", at: day(12)))
        events += [event(old, "create", at: day(1)), event(old, "start", at: day(1) + 1_000_000_000), event(old, "destroy", at: day(2) + 1)]
        writer.openCoverage(dockerHost: "unix:///test.sock", startedNs: day(0))
        writer.enqueue(events: events.sorted { $0.timeNano < $1.timeNano }, source: .stream)
        writer.enqueue(snapshot: SnapshotRecord(containerID: api, takenNs: day(0) + 62_000_000_000, triggerNs: nil, reason: "start", snapshot: snapshot(api, memory: 67_108_864)))
        writer.enqueue(snapshot: SnapshotRecord(containerID: api, takenNs: day(12) + 1_000_000, triggerNs: day(12), reason: "update", snapshot: snapshot(api, memory: 134_217_728)))
        writer.enqueue(snapshot: SnapshotRecord(containerID: old, takenNs: day(1) + 2_000_000_000, triggerNs: nil, reason: "start", snapshot: snapshot(old, memory: 0)))
        writer.enqueue(snapshot: SnapshotRecord(containerID: old, takenNs: day(2) + 2, triggerNs: day(2) + 1, reason: "destroy", snapshot: nil))
        // Inspections of three probes: day 8 (between the cut-offs) and day 15 (inside the probe retention).
        for (i, at) in [(8 * probesPerDay, day(8)), (8 * probesPerDay + 1, day(8) + 600_000_000_000), (15 * probesPerDay, day(15))] {
            writer.enqueue(exec: ExecRecord(execID: "p\(i)", containerID: api, inspectedNs: at + 2_000_000, user: "root", privileged: false, tty: false,
                                            openStdin: false, entrypoint: "/bin/sh", arguments: ["-c", "true"]))
        }
        for (id, at, tty) in [("h-old", day(2), false), ("h-mid", day(10), false), ("t-mid", day(9), true), ("h-new", day(16), false)] {
            writer.enqueue(exec: ExecRecord(execID: id, containerID: api, inspectedNs: at + 2_000_000, user: "root", privileged: false, tty: tty,
                                            openStdin: tty, entrypoint: "sh", arguments: ["-c", "vi /etc/app.conf"]))
        }
        writer.closeCoverage(endedNs: day(3), reason: "collector stopped")
        writer.record(gap: GapRecord(dockerHost: "unix:///test.sock", fromNs: day(3), toNs: day(3) + 3_600_000_000_000, cause: "collector stopped",
                                     replayed: 0, reconciledNs: day(3) + 3_600_000_000_000, changesFound: 0))
        writer.openCoverage(dockerHost: "unix:///test.sock", startedNs: day(3) + 3_600_000_000_000)
        writer.closeCoverage(endedNs: now, reason: "test")
        await writer.close()
        let deployments = try DeploymentRepository(path: path)
        _ = try deployments.store(try deployment("dep-create", from: day(0) + 50_000_000_000, to: day(0) + 70_000_000_000), deliveryID: nil, now: day(0) + 71_000_000_000)
        _ = try deployments.store(try deployment("dep-old", from: day(4), to: day(4) + 60_000_000_000), deliveryID: nil, now: day(4) + 61_000_000_000)
        _ = try deployments.store(try deployment("dep-new", from: day(14), to: day(14) + 60_000_000_000), deliveryID: nil, now: day(14) + 61_000_000_000)
        // Still open a minute before the cut-off: it covers changes up to 30 minutes after its start.
        _ = try deployments.store(try DeploymentRecord.parseWire(Array("""
            {"id":"dep-open","source":"cli","project":"shop","status":"in_progress","started_at":"\(RFC3339.format(Timestamp(nanoseconds: day(5) - 60_000_000_000)))",
             "commands":["docker compose -p shop up -d"]}
            """.utf8), defaultSource: .cli), deliveryID: nil, now: day(5) - 59_000_000_000)
        let drift = try DriftFindingRepository(path: path)
        _ = try drift.record(project: "shop", observations: [orphan, memoryDrift], checkedNs: day(1))
        _ = try drift.record(project: "shop", observations: [memoryDrift], checkedNs: day(3))
        try deployments.acknowledge(findingID: orphan.id(project: "shop"), by: "ops", reason: "old", atNs: day(2), expiresNs: nil)
        try deployments.acknowledge(findingID: memoryDrift.id(project: "shop"), by: "ops", reason: "known", atNs: day(2), expiresNs: nil)
        try deployments.acknowledge(findingID: "exec-expired", by: "ops", reason: "incident", atNs: day(2), expiresNs: day(3))
        // The notifier's outbox on day 1: one delivered, one still pending, and the open drift's.
        let db = try Database(path: path)
        try db.execute("""
            INSERT INTO notifications (id, finding_id, status, time_ns, created_ns, body) VALUES
                (1, 'exec-sent', 'opened', \(day(1)), \(day(1)), '{}'), (2, 'exec-pending', 'opened', \(day(1)), \(day(1)), '{}'),
                (3, '\(memoryDrift.id(project: "shop"))', 'opened', \(day(1)), \(day(1)), '{}');
            INSERT INTO notification_deliveries (sink, notification_id, sent_ns) VALUES ('webhook:1', 1, \(day(1))), ('webhook:1', 2, NULL), ('webhook:1', 3, \(day(1)));
            """)
    }

    static func count(_ path: String, _ sql: String) throws -> Int64 {
        let db = try Database(path: path, readOnly: true)
        let s = try db.prepare(sql)
        defer { s.reset() }
        _ = try s.step()
        return s.int64(0)
    }

    static func text(_ path: String, _ sql: String) throws -> String? {
        let db = try Database(path: path, readOnly: true)
        let s = try db.prepare(sql)
        defer { s.reset() }
        _ = try s.step()
        return s.string(0)
    }

    static func prune(_ path: String) throws -> PruneProgress {
        let db = try Database(path: path)
        var total = PruneProgress()
        while let plan = try RetentionPlanner.plan(try StoreReader(path: path), policy: policy, nowNs: now) {
            let pruner = StorePruner(db: db, plan: plan, nowNs: now, chunkRows: 500)
            try pruner.run(budgetNs: .max)
            total.events += pruner.progress.events
            total.probeEvents += pruner.progress.probeEvents
            total.otherRows += pruner.progress.otherRows
            total.pagesFreed += pruner.progress.pagesFreed
            #expect(pruner.progress.finished)
            if plan.complete { break }
        }
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return total
    }

    static func report(_ path: String, from: Int64) throws -> ReportModel {
        try FindingsEngine.evaluate(try StoreReader(path: path), FindingsQuery(fromNs: from, toNs: now, nowNs: now, host: "prod-1"))
    }

    static func describe(_ m: ReportModel) -> [String] {
        m.findings.map { "\($0.kind.rawValue) \($0.status.rawValue) \(RFC3339.format(Timestamp(nanoseconds: $0.timeNano))) \($0.command ?? $0.detail)" }.sorted()
    }

    static func withStore(_ body: (String) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await makeStore(dir + "/audit.db")
        try await body(dir + "/audit.db")
    }

    @Test func findingsOlderThanTheProbeRetentionStillShowAfterTheirProbesArePruned() async throws {
        try await Self.withStore { path in
            let before = try Self.report(path, from: Self.day(6))
            #expect(before.findings.contains { $0.command == Self.person }, "\(Self.describe(before))")
            _ = try Self.prune(path)
            let after = try Self.report(path, from: Self.day(6))
            #expect(Self.describe(after) == Self.describe(before))
            // The person's exec of day 10, the tty exec of the health check's own command on day 9, the update of day 12.
            let times = Set(after.findings.map(\.timeNano))
            #expect(times.isSuperset(of: [Self.day(10) + 1_000_000, Self.day(9) + 1_000_000, Self.day(12)]), "\(Self.describe(after))")
            #expect(after.findings.first { $0.kind == .update }?.changes?.contains("memory 64 MiB → 128 MiB") == true,
                    "the baseline snapshot from before the cut-off stays: \(Self.describe(after))")
            #expect(after.prunedUntilNs == nil, "the window starts after the events cut-off")
        }
    }

    @Test func probeEventsGoAndTheirHourlyCountsStay() async throws {
        try await Self.withStore { path in
            let probeCutoff = (Self.day(13) / 3_600_000_000_000) * 3_600_000_000_000
            let countsBefore = try Self.count(path, "SELECT sum(count) FROM exec_commands WHERE command = '\(Self.probe)' AND hour >= \(Self.day(5) / 3_600_000_000_000)")
            let progress = try Self.prune(path)
            // Between the two cut-offs only the hours in which a person exec'd keep exec events (theirs and the probes' of that hour).
            let execsLeft = try Self.count(path, "SELECT count(*) FROM events WHERE action BETWEEN 'exec_' AND 'exec`' AND time_ns >= \(Self.day(5)) AND time_ns < \(probeCutoff)")
            #expect(execsLeft == 3 * 2 + 3 * 2 * 6, "two mixed hours: the person's and tty exec, and six probes each hour")
            #expect(try Self.count(path, "SELECT count(*) FROM events WHERE action = 'health_status' AND time_ns < \(probeCutoff)") == 0)
            #expect(try Self.count(path, "SELECT count(*) FROM events WHERE action = 'exec_start' AND detail = '\(Self.probe)' AND time_ns >= \(probeCutoff)") > 6 * 144)
            let countsAfter = try Self.count(path, "SELECT sum(count) FROM exec_commands WHERE command = '\(Self.probe)' AND hour >= \(Self.day(5) / 3_600_000_000_000)")
            #expect(countsAfter == countsBefore, "the hourly exec summary keeps the probes' counts")
            #expect(progress.probeEvents > 8 * 144 * 4 - 100)
            // Each horizon lies just past the newest row deleted, within a probe interval of its cut-off.
            let horizons = try StoreReader(path: path).retentionHorizons()
            let probes = try #require(horizons.probesBeforeNs), events = try #require(horizons.eventsBeforeNs)
            #expect(probes <= probeCutoff && probes > probeCutoff - 600_000_000_000, "\(probes) vs \(probeCutoff)")
            #expect(events <= Self.day(5) && events > Self.day(5) - 600_000_000_000, "\(events)")
        }
    }

    @Test func whatIsOlderThanTheRetentionGoesButWhatIsStillInEffect() async throws {
        try await Self.withStore { path in
            _ = try Self.prune(path)
            // Only the running container's create is left before the cut-off.
            #expect(try Self.count(path, "SELECT count(*) FROM events WHERE time_ns < \(Self.day(5))") == 1)
            #expect(try Self.count(path, "SELECT count(*) FROM events e JOIN actors a ON a.id = e.actor WHERE a.docker_id = '\(Self.api)' AND e.action = 'create'") == 1)
            // The api keeps its baseline and its latest snapshot; the removed container keeps none.
            // (And the table's newest row, whatever it is, keeps the highest id: see idsAreNeverHandedOutAgain.)
            #expect(try Self.count(path, "SELECT count(*) FROM container_snapshots WHERE id < (SELECT max(id) FROM container_snapshots)") == 2)
            #expect(try Self.count(path, "SELECT count(*) FROM exec_sessions WHERE exec_id = 'h-old'") == 0)
            // The person's, the tty exec, and the probe inspected on day 15; the day-8 probes' went with their hour.
            #expect(try Self.count(path, "SELECT count(*) FROM exec_sessions") == 4)
            #expect(try Self.count(path, "SELECT count(*) FROM exec_sessions WHERE exec_id LIKE 'p%'") == 1)
            let deployments = try StoreReader(path: path).deployments(fromNs: .min, toNs: .max).map(\.id).sorted()
            #expect(deployments == ["dep-create", "dep-new", "dep-open"],
                    "the deployment that made the running container stays, and the open one that still covers kept changes")
            #expect(try Self.count(path, "SELECT count(*) FROM gaps") == 1, "the newest stays, however old: its id stays the highest")
            #expect(try Self.count(path, "SELECT count(*) FROM coverage") == 1)
            #expect(try Self.count(path, "SELECT count(*) FROM drift_findings") == 1, "the resolved orphan goes, the open drift stays")
            #expect(try Self.count(path, "SELECT count(*) FROM acks WHERE id < (SELECT max(id) FROM acks)") == 2, "acknowledgements stay until they expire")
            let outbox = try Self.text(path, "SELECT group_concat(finding_id, ' ') FROM (SELECT finding_id FROM notifications ORDER BY id)")
            #expect(outbox == Self.memoryDrift.id(project: "shop"), "delivered and long-pending notifications go; the open drift's stays")
            // `audit status` counts what is left, not what was ever stored.
            let status = try StoreReader(path: path).status()
            #expect(status.eventsBySource.reduce(0) { $0 + $1.1 } == Int(try Self.count(path, "SELECT count(*) FROM events")))
        }
    }

    /// The fleet keys snapshots, coverage, gaps and acks by their local ids: after a prune a new row must
    /// not get an id an older (forwarded) row had.
    @Test func idsAreNeverHandedOutAgainAfterAPrune() async throws {
        try await Self.withStore { path in
            let tables = ["gaps", "acks", "coverage", "container_snapshots"]
            var before: [String: Int64] = [:]
            for t in tables { before[t] = try Self.count(path, "SELECT coalesce(max(id), 0) FROM \(t)") }
            _ = try Self.prune(path)
            let db = try Database(path: path)
            try db.execute("INSERT INTO gaps (docker_host, from_ns, to_ns, cause) VALUES ('x', 1, 2, 'test')")
            try db.execute("INSERT INTO acks (finding_id, by, reason, at_ns) VALUES ('f', 'me', 'test', 1)")
            try db.execute("INSERT INTO coverage (docker_host, started_ns, last_seen_ns) VALUES ('x', 1, 2)")
            try db.execute("INSERT INTO container_snapshots (actor, taken_ns, reason) VALUES (1, 1, 'test')")
            for t in tables {
                let newest = try Self.count(path, "SELECT max(id) FROM \(t)")
                #expect(newest > before[t] ?? 0, "\(t): a new row got id \(newest), at most the \(before[t] ?? 0) stored before")
            }
        }
    }

    @Test func aReportOverAPrunedWindowSaysSoInsteadOfCallingItBlind() async throws {
        try await Self.withStore { path in
            _ = try Self.prune(path)
            let model = try Self.report(path, from: Self.day(0))
            let pruned = try #require(model.prunedUntilNs)
            #expect(pruned <= Self.day(5) && pruned > Self.day(5) - 600_000_000_000)
            #expect(model.gaps.isEmpty)
            #expect(model.coveragePercent == 100, "coverage over what retention kept")
            // What is older is gone, but the drift finding still open since day 1: it is still in effect.
            let older = model.findings.filter { $0.timeNano < pruned }
            #expect(older.map(\.kind) == [.configDrift], "\(Self.describe(model))")
        }
    }

    @Test func aSecondPassFindsNothingLeftAndTheFileShrinks() async throws {
        try await Self.withStore { path in
            let db = try Database(path: path)
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            let before = Self.fileBytes(path)
            let first = try Self.prune(path)
            #expect(first.pagesFreed > 0)
            #expect(Self.fileBytes(path) < before, "incremental vacuum gives the freed pages back: \(before) → \(Self.fileBytes(path))")
            let second = try Self.prune(path)
            #expect(second.events == 0 && second.probeEvents == 0 && second.otherRows == 0)
        }
    }

    @Test func thePruneRunsThroughTheWriterWhileEventsKeepArriving() async throws {
        try await Self.withStore { path in
            let plan = try #require(try RetentionPlanner.plan(try StoreReader(path: path), policy: Self.policy, nowNs: Self.now))
            let writer = try EventWriter(path: path, logger: Logger(label: "test"))
            let fresh = (0..<2000).map { Self.event(Self.api, "exec_start", at: Self.now + Int64($0) * 1_000_000, detail: Self.probe, attributes: ["execID": "n\($0)"]) }
            async let progress = writer.prune(plan)
            for chunk in stride(from: 0, to: fresh.count, by: 100) {
                writer.enqueue(events: Array(fresh[chunk..<chunk + 100]), source: .stream)
                try await Task.sleep(for: .milliseconds(2))
            }
            let done = await progress
            await writer.close()
            #expect(done.finished && done.events > 0 && done.probeEvents > 0)
            #expect(try Self.count(path, "SELECT count(*) FROM events WHERE time_ns >= \(Self.now)") == 2000)
            #expect(try Self.count(path, "SELECT count(*) FROM events WHERE time_ns < \(Self.day(5))") == 1)
        }
    }

    @Test func nothingOlderThanTheRetentionLeavesNoHorizon() async throws {
        try await Self.withStore { path in
            let db = try Database(path: path)
            let plan = try #require(try RetentionPlanner.plan(try StoreReader(path: path), policy: RetentionPolicy(retentionNs: 30 * Self.dayNs, probeRetentionNs: 0), nowNs: Self.now))
            let pruner = StorePruner(db: db, plan: plan, nowNs: Self.now)
            try pruner.run(budgetNs: .max)
            #expect(pruner.progress.events == 0)
            #expect(try StoreReader(path: path).retentionHorizons() == RetentionHorizons(), "a window nobody collected in is not \"pruned\"")
            let report = try Self.report(path, from: Self.day(-30))
            #expect(report.prunedUntilNs == nil)
        }
    }

    @Test func whatAForwardingTargetHasNotConfirmedStays() async throws {
        try await Self.withStore { path in
            let db = try Database(path: path)
            // A target that confirmed up to day 3 and was worked on now; one silent since day 1 (removed).
            try db.execute("""
                INSERT INTO forwarding (target, confirmed_ns, updated_ns) VALUES ('postgresql://a:***@fleet/audit', \(Self.day(3)), \(Self.now)),
                    ('postgresql://a:***@old/audit', \(Self.day(0)), \(Self.day(1)));
                """)
            let plan = try #require(try RetentionPlanner.plan(try StoreReader(path: path), policy: Self.policy, nowNs: Self.now))
            #expect(plan.heldByForwardingNs == Self.day(3))
            _ = try Self.prune(path)
            #expect(try Self.count(path, "SELECT count(*) FROM events WHERE time_ns < \(Self.day(3))") == 1, "the running container's create only")
            #expect(try Self.count(path, "SELECT count(*) FROM events WHERE time_ns >= \(Self.day(3)) AND time_ns < \(Self.day(5)) AND action = 'health_status'") > 200,
                    "the probes after what the target confirmed stay")
            let horizons = try StoreReader(path: path).retentionHorizons()
            #expect((horizons.eventsBeforeNs ?? .max) <= Self.day(3) && (horizons.probesBeforeNs ?? .min) <= Self.day(3))
            // Confirmed up to now: the whole policy applies.
            try db.execute("UPDATE forwarding SET confirmed_ns = \(Self.now) WHERE target LIKE '%fleet%'")
            _ = try Self.prune(path)
            #expect(try Self.count(path, "SELECT count(*) FROM events WHERE time_ns >= \(Self.day(3)) AND time_ns < \(Self.day(5)) AND action = 'health_status'") == 0)
        }
    }

    static func fileBytes(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
    }
}
