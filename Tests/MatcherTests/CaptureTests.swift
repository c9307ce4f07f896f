import Testing
@testable import Matcher

/// The real Engine 20.10 capture end to end: t1 run, probes, exec, update, rename, pause, unpause,
/// restart, stop, rm; t3 run and docker cp.
@Suite struct CaptureTests {
    let events: [MatcherEvent]
    let analysis: Analysis

    init() throws {
        events = try Capture.events()
        analysis = Matcher.analyze(
            events: events, snapshots: Capture.snapshots(events: events), execs: [:], deployments: [], gaps: [], acks: [],
            host: nil, window: Int64.min...Int64.max, now: events.last!.timeNano + 1
        )
    }

    func findings(_ container: String) -> [Finding] { analysis.findings.filter { $0.container.id == container } }

    @Test func everyPersonMadeChangeIsOneFinding() {
        let t1 = findings(Capture.t1).sorted { $0.timeNano < $1.timeNano }
        #expect(t1.map(\.kind) == [.unmanagedContainer, .exec, .update, .lifecycle, .lifecycle, .lifecycle, .lifecycle, .lifecycle, .lifecycle])
        #expect(t1.map(\.action) == ["create", "exec_start", "update", "rename", "pause", "unpause", "restart", "stop", "destroy"])
        let t3 = findings(Capture.t3).sorted { $0.timeNano < $1.timeNano }
        #expect(t3.map(\.kind) == [.unmanagedContainer, .copy])
        #expect(analysis.findings.filter { $0.kind == .image }.map(\.action).sorted() == ["import", "tag", "tag"])
        #expect(analysis.findings.count == 14)
    }

    @Test func healthProbesAndTheirCompanionsAreContext() {
        let probes = analysis.context.filter { $0.reason == .healthProbe }
        // Four probes, each exec_create + exec_start + exec_die.
        #expect(probes.count == 12)
        #expect(probes.allSatisfy { $0.event.detail == nil || $0.event.detail == "/bin/sh -c true" })
        #expect(!analysis.findings.contains { $0.command == "/bin/sh -c true" })
        #expect(analysis.context.filter { $0.reason == .healthStatus }.count == 2)
    }

    @Test func theExecIsMaskedAndItsCompanionsAreContext() throws {
        let exec = try #require(analysis.findings.first { $0.kind == .exec })
        #expect(exec.command == "echo hi --password=***")
        #expect(!exec.detail.contains("=x"))
        #expect(exec.severity == .high)
        let companions = analysis.context.filter { $0.reason == .execCompanion }
        #expect(companions.map(\.event.action).sorted() == ["exec_create", "exec_die"])
    }

    @Test func restartAndStopSequencesAbsorbTheirKillsAndDies() throws {
        let restart = try #require(findings(Capture.t1).first { $0.action == "restart" })
        #expect(restart.severity == .medium)
        // Kills, dies and the stop/start inside the two sequences are neither findings nor context.
        #expect(!analysis.findings.contains { ["kill", "die", "start"].contains($0.action) })
        #expect(!analysis.context.contains { $0.event.actorID == Capture.t1 && ["kill", "die", "stop", "start"].contains($0.event.action) })
        // t3's die after its process exited is context.
        #expect(analysis.context.contains { $0.event.actorID == Capture.t3 && $0.event.action == "die" && $0.reason == .processExit })
    }

    @Test func updateRenameAndCopyCarryTheirDetail() throws {
        let update = try #require(analysis.findings.first { $0.kind == .update })
        #expect(update.changes == ["memory 512 MiB → 2 GiB"])
        #expect(update.severity == .high)
        let rename = try #require(analysis.findings.first { $0.action == "rename" })
        #expect(rename.detail.hasPrefix("renamed t1 → t2"))
        let copy = try #require(analysis.findings.first { $0.kind == .copy })
        #expect(copy.action == "extract-to-dir")
        #expect(copy.severity == .medium)
    }

    @Test func findingsBeforeTheRemovalAreGoneAndTheRemovalStaysOpen() {
        for finding in findings(Capture.t1) {
            #expect(finding.status == (finding.action == "destroy" ? .open : .gone), "\(finding.action)")
        }
        #expect(findings(Capture.t3).allSatisfy { $0.status == .open })
    }

    @Test func networkEventsAreDropped() {
        #expect(!analysis.context.contains { $0.event.type == "network" })
    }

    @Test func aDeploymentForTheWholeCaptureLeavesNoFindings() {
        let record = Deployment(id: "d1", status: .success, startedAtNs: events.first!.timeNano, finishedAtNs: events.last!.timeNano)
        let covered = Matcher.analyze(
            events: events, snapshots: Capture.snapshots(events: events), execs: [:], deployments: [record], gaps: [], acks: [],
            host: nil, window: Int64.min...Int64.max, now: events.last!.timeNano
        )
        #expect(covered.findings.isEmpty)
        #expect(covered.inBand.allSatisfy { $0.deploymentID == "d1" })
        #expect(covered.inBand.contains { $0.event.action == "exec_start" })
    }
}
