import AuditStore
import AuditSupport
import DockerAPI
import Foundation
import Testing
@testable import Collector

/// The collector's pure decisions, without a daemon: what a gap's reconciliation reports, where a
/// restarted collector resumes, what it inspects after a batch, how long it waits to reconnect.

// MARK: - Reconciler.changes

@Suite struct ReconcilerChangesTests {
    static let gapEndNs: Int64 = 1_714_557_600_000_000_000  // 2024-05-01T10:00:00Z
    static let createdNs: Int64 = 1_714_550_400_000_000_000  // 2024-05-01T08:00:00Z
    static let startedNs: Int64 = 1_714_550_401_500_000_000  // 2024-05-01T08:00:01.5Z

    /// A running compose container as the store would snapshot it.
    static func snapshot(name: String = "shop-api-1", running: Bool = true,
                         startedAt: String? = "2024-05-01T08:00:01.5Z", finishedAt: String? = "0001-01-01T00:00:00Z") throws -> ContainerSnapshot {
        var json: [String: Any] = [
            "id": "c1", "name": name, "imageID": "sha256:aaaa", "imageRef": "shop/api:1",
            "created": "2024-05-01T08:00:00Z", "status": running ? "running" : "exited", "running": running,
            "env": ["PATH=/usr/bin"], "labels": ["com.docker.compose.project": "shop", "com.docker.compose.service": "api"],
            "ports": [String](), "mounts": [String](),
        ]
        json["startedAt"] = startedAt
        json["finishedAt"] = finishedAt
        let text = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        return try #require(ContainerSnapshot.decode(json: text))
    }

    static func summary(_ events: [DockerEvent]) -> [String] {
        events.map { "\($0.action)@\($0.timeNano)" }
    }

    @Test func aContainerNotSeenBeforeWasCreatedAndStartedAtItsOwnTimes() throws {
        let new = try Self.snapshot()
        let events = Reconciler.changes(from: nil, to: new, gapEndNs: Self.gapEndNs)
        #expect(Self.summary(events) == ["create@\(Self.createdNs)", "start@\(Self.startedNs)"])
        for event in events {
            #expect(event.type == "container" && event.actorID == "c1" && event.scope == "local")
            // The attributes say where the event came from and carry what the matcher groups by.
            #expect(event.attributes["observed-by-reconciliation"] == "true")
            #expect(event.attributes["name"] == "shop-api-1")
            #expect(event.attributes["image"] == "shop/api:1")
            #expect(event.attributes["com.docker.compose.project"] == "shop")
        }
    }

    @Test func aNewContainerThatNeverStartedIsOnlyCreated() throws {
        // Docker reports the zero time for a container that never ran.
        let new = try Self.snapshot(running: false, startedAt: "0001-01-01T00:00:00Z")
        #expect(Self.summary(Reconciler.changes(from: nil, to: new, gapEndNs: Self.gapEndNs)) == ["create@\(Self.createdNs)"])
    }

    @Test func aCreationTimeThatCannotBeReadFallsBackToTheGapsEnd() throws {
        var new = try Self.snapshot(startedAt: nil)
        new.created = "not a time"
        #expect(Self.summary(Reconciler.changes(from: nil, to: new, gapEndNs: Self.gapEndNs)) == ["create@\(Self.gapEndNs)"])
    }

    @Test func anUnchangedContainerExplainsNothing() throws {
        let old = try Self.snapshot()
        #expect(Reconciler.changes(from: old, to: old, gapEndNs: Self.gapEndNs).isEmpty)
    }

    @Test func aRenameKeepsTheOldNameWithItsSlash() throws {
        let old = try Self.snapshot(name: "shop-api-1")
        let new = try Self.snapshot(name: "shop-api-old")
        let events = Reconciler.changes(from: old, to: new, gapEndNs: Self.gapEndNs)
        #expect(Self.summary(events) == ["rename@\(Self.gapEndNs)"])
        #expect(events.first?.attributes["oldName"] == "/shop-api-1")
        #expect(events.first?.attributes["name"] == "shop-api-old")
    }

    @Test func aRestartDuringTheGapIsAStartAtTheNewStartTime() throws {
        let old = try Self.snapshot()
        let new = try Self.snapshot(startedAt: "2024-05-01T09:30:00Z")
        #expect(Self.summary(Reconciler.changes(from: old, to: new, gapEndNs: Self.gapEndNs)) == ["start@1714555800000000000"])
    }

    @Test func aContainerThatStoppedDiedAtItsFinishTimeOrElseAtTheGapsEnd() throws {
        let old = try Self.snapshot()
        let stopped = try Self.snapshot(running: false, finishedAt: "2024-05-01T09:45:00.25Z")
        #expect(Self.summary(Reconciler.changes(from: old, to: stopped, gapEndNs: Self.gapEndNs)) == ["die@1714556700250000000"])
        let noFinishTime = try Self.snapshot(running: false, finishedAt: nil)
        #expect(Self.summary(Reconciler.changes(from: old, to: noFinishTime, gapEndNs: Self.gapEndNs)) == ["die@\(Self.gapEndNs)"])
    }

    @Test func aConfigurationChangeIsOneUpdateNamingEachField() throws {
        let old = try Self.snapshot()
        var new = old
        new.user = "nobody"
        new.labels["tier"] = "web"
        let events = Reconciler.changes(from: old, to: new, gapEndNs: Self.gapEndNs)
        #expect(Self.summary(events) == ["update@\(Self.gapEndNs)"])
        #expect(events.first?.attributes["changes"] == "user unset → nobody; label.tier unset → web")
    }

    @Test func severalChangesComeInTheOrderTheyHappen() throws {
        // Renamed, restarted, stopped again and reconfigured, all while nobody watched.
        let old = try Self.snapshot()
        var new = try Self.snapshot(name: "renamed", running: false, startedAt: "2024-05-01T09:30:00Z", finishedAt: "2024-05-01T09:45:00Z")
        new.user = "nobody"
        let actions = Reconciler.changes(from: old, to: new, gapEndNs: Self.gapEndNs).map(\.action)
        #expect(actions == ["rename", "start", "die", "update"])
    }
}

// MARK: - CollectorService.resumePoint

@Suite struct ResumePointTests {
    static let second: Int64 = 1_000_000_000
    /// The margin before a crashed collector's last heartbeat that is replayed again.
    static let margin: Int64 = 2 * second

    @Test func aFirstRunHasNoPastToReplay() {
        #expect(CollectorService.resumePoint(lastStreamEventNs: nil, previousCoverageEndNs: nil) == nil)
    }

    @Test func withoutCoverageItResumesAtTheLastStoredEvent() {
        #expect(CollectorService.resumePoint(lastStreamEventNs: 50 * Self.second, previousCoverageEndNs: nil) == 50 * Self.second)
    }

    @Test func withoutEventsItResumesShortlyBeforeTheLastHeartbeat() {
        #expect(CollectorService.resumePoint(lastStreamEventNs: nil, previousCoverageEndNs: 50 * Self.second) == 50 * Self.second - Self.margin)
    }

    @Test func itResumesAtTheLaterOfTheLastEventAndTheMarginBeforeTheHeartbeat() {
        // A quiet daemon: the last event is long before the heartbeat, so the heartbeat decides.
        #expect(CollectorService.resumePoint(lastStreamEventNs: 10 * Self.second, previousCoverageEndNs: 50 * Self.second) == 48 * Self.second)
        // A busy one: the last event came within the margin, so nothing before it is replayed.
        #expect(CollectorService.resumePoint(lastStreamEventNs: 49 * Self.second, previousCoverageEndNs: 50 * Self.second) == 49 * Self.second)
    }
}

// MARK: - Inspection.needed

@Suite struct InspectionNeededTests {
    static func container(_ action: String, _ id: String = "c1", at ns: Int64, execID: String? = nil) -> StreamItem {
        .event(DockerEvent(type: "container", action: action, actorID: id,
                           attributes: Attributes(execID.map { ["execID": $0] } ?? [:]), timeNano: ns))
    }

    @Test func eachSnapshotActionAsksForAnInspectOfThatContainer() {
        for action in ["create", "start", "update", "rename", "die"] {
            #expect(Inspection.needed(by: [Self.container(action, at: 7)]) == [.container(id: "c1", reason: action, triggerNs: 7)], "\(action)")
        }
    }

    @Test func aDestroyedContainerIsMarkedRemoved() {
        #expect(Inspection.needed(by: [Self.container("destroy", at: 9)]) == [.removed(id: "c1", triggerNs: 9)])
    }

    @Test func anExecIsInspectedOnceForItsCreateAndStart() {
        let items = [Self.container("exec_create", at: 1, execID: "e1"), Self.container("exec_start", at: 2, execID: "e1")]
        #expect(Inspection.needed(by: items) == [.exec(execID: "e1", containerID: "c1")])
        // Without an exec id there is nothing to inspect.
        #expect(Inspection.needed(by: [Self.container("exec_start", at: 3)]).isEmpty)
    }

    @Test func actionsThatChangeNothingToInspectAskForNothing() {
        let items = ["kill", "stop", "exec_die", "health_status", "attach", "pause"].map { Self.container($0, at: 1) }
        #expect(Inspection.needed(by: items).isEmpty)
    }

    @Test func otherObjectsAndMalformedLinesAreIgnored() {
        let items: [StreamItem] = [
            .event(DockerEvent(type: "network", action: "create", actorID: "n1", timeNano: 1)),
            .event(DockerEvent(type: "image", action: "delete", actorID: "sha256:aaaa", timeNano: 2)),
            .malformed(MalformedLine(raw: Array("{".utf8), reason: "truncated")),
        ]
        #expect(Inspection.needed(by: items).isEmpty)
    }

    @Test func aContainerIsInspectedOncePerBatchAsOfItsFirstEvent() {
        let items = [
            Self.container("create", at: 1), Self.container("start", at: 2),
            Self.container("start", "c2", at: 3), Self.container("die", at: 4), Self.container("destroy", at: 5),
        ]
        // One snapshot per container (the first trigger's), and removal is a request of its own.
        #expect(Inspection.needed(by: items) == [
            .container(id: "c1", reason: "create", triggerNs: 1),
            .container(id: "c2", reason: "start", triggerNs: 3),
            .removed(id: "c1", triggerNs: 5),
        ])
    }
}

// MARK: - Backoff

@Suite struct BackoffTests {
    @Test func doublesFromHalfASecondUpToThirtySeconds() {
        var backoff = Backoff()
        let delays = (0..<9).map { _ in backoff.next() }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30), .seconds(30)])
    }

    @Test func resetStartsOverFromTheInitialDelay() {
        var backoff = Backoff()
        for _ in 0..<5 { _ = backoff.next() }
        backoff.reset()
        #expect(backoff.next() == .milliseconds(500))
        #expect(backoff.next() == .seconds(1))
    }

    @Test func theCapHoldsWhenDoublingWouldOvershootIt() {
        var backoff = Backoff(initial: .seconds(3), maximum: .seconds(10))
        #expect((0..<4).map { _ in backoff.next() } == [.seconds(3), .seconds(6), .seconds(10), .seconds(10)])
    }
}
