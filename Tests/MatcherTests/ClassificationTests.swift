import Testing
@testable import Matcher

/// Each classification rule on hand-written sequences shaped like the daemon's.
@Suite struct ClassificationTests {
    typealias S = Scenario
    let id = "c1aaaaaaaaaa0000"

    @Test func aProbeIsContextButTheSameLookingCommandOfAPersonIsAFinding() {
        let snapshots = [id: S.history(S.state(healthcheck: ["CMD", "curl", "-f", "http://localhost/health"]))]
        let events = [
            S.event(1, "exec_create", detail: "curl -f http://localhost/health", attributes: ["execID": "p1"]),
            S.event(1.1, "exec_start", detail: "curl -f http://localhost/health", attributes: ["execID": "p1"]),
            S.event(1.2, "exec_die", attributes: ["execID": "p1", "exitCode": "0"]),
            S.event(5, "exec_start", detail: "curl -f http://localhost/admin", attributes: ["execID": "u1"]),
        ]
        let analysis = S.analyze(events, snapshots: snapshots)
        #expect(analysis.context.filter { $0.reason == .healthProbe }.count == 3)
        #expect(analysis.findings.map(\.command) == ["curl -f http://localhost/admin"])
    }

    /// Engine 20.10 writes `exec_start: true ` for `test: ["CMD", "true"]`: entrypoint, a space, no arguments.
    @Test func aProbeWithoutArgumentsKeepsTheDaemonsTrailingSpace() {
        let snapshots = [id: S.history(S.state(healthcheck: ["CMD", "true"]))]
        let events = [S.event(1, "exec_start", detail: "true ", attributes: ["execID": "p1"])]
        #expect(S.analyze(events, snapshots: snapshots).findings.isEmpty)
    }

    @Test func theProbeCommandRunWithATtyIsAPerson() {
        let snapshots = [id: S.history(S.state(healthcheck: ["CMD-SHELL", "pg_isready"]))]
        let events = [S.event(1, "exec_start", detail: "/bin/sh -c pg_isready", attributes: ["execID": "e1"])]
        let execs = ["e1": ExecDetails(execID: "e1", user: "", privileged: false, tty: true, entrypoint: "/bin/sh", arguments: ["-c", "pg_isready"])]
        #expect(S.analyze(events, snapshots: snapshots).findings.isEmpty)
        #expect(S.analyze(events, snapshots: snapshots, execs: execs).findings.map(\.kind) == [.exec])
    }

    @Test func cmdShellProbesUseTheConfiguredShell() {
        var state = S.state(healthcheck: ["CMD-SHELL", "true"])
        #expect(state.probeCommand == "/bin/sh -c true")
        state.shell = ["/bin/bash", "-o", "pipefail", "-c"]
        #expect(state.probeCommand == "/bin/bash -o pipefail -c true")
        state.healthcheckTest = ["NONE"]
        #expect(state.probeCommand == nil)
    }

    @Test func anExecWithoutSnapshotsIsAFinding() {
        let events = [S.event(1, "exec_start", detail: "/bin/sh -c true", attributes: ["execID": "e1"])]
        #expect(S.analyze(events).findings.map(\.kind) == [.exec])
    }

    @Test func dockerRmForceIsOneRemoval() {
        let events = [S.event(1, "kill", attributes: ["signal": "9"]), S.event(1.05, "die", attributes: ["exitCode": "137"]), S.event(1.1, "destroy")]
        #expect(S.analyze(events).findings.map(\.action) == ["destroy"])
    }

    @Test func restartPolicyRestartsAreContext() {
        let events = [S.event(1, "die", attributes: ["exitCode": "1"]), S.event(1.2, "start")]
        let always = S.analyze(events, snapshots: [id: S.history(S.state(restartPolicy: "always"))])
        #expect(always.findings.isEmpty)
        #expect(always.context.map(\.reason) == [.processExit, .restartPolicy])
        // With policy `no` the daemon never restarts: a person did.
        let none = S.analyze(events, snapshots: [id: S.history(S.state(restartPolicy: "no"))])
        #expect(none.findings.map(\.action) == ["start"])
    }

    @Test func oomThenDieIsContext() {
        let events = [S.event(1, "oom"), S.event(1.01, "die", attributes: ["exitCode": "137"])]
        let analysis = S.analyze(events)
        #expect(analysis.findings.isEmpty)
        #expect(analysis.context.map(\.reason) == [.outOfMemory, .processExit])
    }

    @Test func dockerRestartWithTheDefaultGraceIsOneFinding() {
        // kill(15), ten seconds of grace, kill(9), die, stop, start, restart.
        let events = [
            S.event(1, "kill", attributes: ["signal": "15"]), S.event(11, "kill", attributes: ["signal": "9"]),
            S.event(11.05, "die", attributes: ["exitCode": "137"]), S.event(11.06, "stop"),
            S.event(11.3, "start"), S.event(11.31, "restart"),
        ]
        let analysis = S.analyze(events)
        #expect(analysis.findings.map(\.action) == ["restart"])
        #expect(analysis.findings.first?.kind == .lifecycle)
        #expect(analysis.context.isEmpty)
    }

    @Test func dockerStopAndDockerKillAreOneFindingEach() {
        let stop = S.analyze([S.event(1, "kill", attributes: ["signal": "15"]), S.event(1.2, "die"), S.event(1.21, "stop")])
        #expect(stop.findings.map(\.action) == ["stop"])
        let kill = S.analyze([S.event(1, "kill", attributes: ["signal": "9"]), S.event(1.05, "die")])
        #expect(kill.findings.map(\.action) == ["kill"])
        #expect(kill.context.isEmpty)
    }

    @Test func eventsFarApartAreSeparateChanges() {
        let analysis = S.analyze([S.event(1, "kill"), S.event(1.1, "die"), S.event(300, "stop")])
        #expect(analysis.findings.map(\.action).sorted() == ["kill", "stop"])
    }

    @Test func daemonStartsAfterAGapAreContext() {
        let gap = Gap(fromNs: S.at(100), toNs: S.at(160), cause: "daemon restart")
        let events = [S.event(170, "start")]
        let always = S.analyze(events, snapshots: [id: S.history(S.state(restartPolicy: "unless-stopped"))], gaps: [gap])
        #expect(always.findings.isEmpty)
        #expect(always.context.map(\.reason) == [.daemonRestart])
        let none = S.analyze(events, snapshots: [id: S.history(S.state(restartPolicy: "no"))], gaps: [gap])
        #expect(none.findings.map(\.action) == ["start"])
        // Long after the gap, a start is a person's.
        let late = S.analyze([S.event(400, "start")], snapshots: [id: S.history(S.state(restartPolicy: "always"))], gaps: [gap])
        #expect(late.findings.map(\.action) == ["start"])
        // A stop just before the gap means the start was wanted by someone.
        let stopped = S.analyze([S.event(95, "stop"), S.event(170, "start")],
                                snapshots: [id: S.history(S.state(restartPolicy: "always"))], gaps: [gap])
        #expect(stopped.findings.map(\.action).sorted() == ["start", "stop"])
    }

    @Test func aManualComposeRecreateIsOneFindingUnderTheFinalName() throws {
        let old = "0123456789abcdef0000", new = "fedcba9876543210ffff"
        let labels = ["com.docker.compose.project": "shop", "com.docker.compose.service": "api"]
        let events = [
            S.event(1, "create", id: new, name: "0123456789ab_shop_api_1", attributes: labels.merging(["image": "shop/api:2"]) { a, _ in a }),
            S.event(1.1, "kill", id: old, name: "shop_api_1", attributes: labels),
            S.event(1.5, "die", id: old, name: "shop_api_1", attributes: labels),
            S.event(1.51, "stop", id: old, name: "shop_api_1", attributes: labels),
            S.event(1.6, "destroy", id: old, name: "shop_api_1", attributes: labels),
            S.event(1.7, "rename", id: new, name: "shop_api_1", attributes: labels.merging(["oldName": "/0123456789ab_shop_api_1"]) { a, _ in a }),
            S.event(1.9, "start", id: new, name: "shop_api_1", attributes: labels),
        ]
        let analysis = S.analyze(events)
        let finding = try #require(analysis.findings.first)
        #expect(analysis.findings.count == 1)
        #expect(finding.kind == .imageDrift)
        #expect(finding.container.name == "shop_api_1")
        #expect(finding.container.service == "api")
        #expect(finding.detail.contains("recreated"))
    }

    @Test func dockerRunIsOneUnmanagedContainer() {
        let events = [S.event(1, "create", attributes: ["image": "alpine"]), S.event(1.1, "attach"), S.event(1.3, "start")]
        let analysis = S.analyze(events)
        #expect(analysis.findings.map(\.kind) == [.unmanagedContainer])
        #expect(analysis.findings.first?.severity == .high)
    }

    @Test func labelsCannotSpoofTheDaemonsKeys() throws {
        // Labels named exitCode, user and privileged ride along on every event.
        let spoof = ["exitCode": "0", "user": "nobody", "privileged": "false", "signal": "0"]
        let events = [
            S.event(1, "die", attributes: spoof),
            S.event(2, "exec_start", detail: "sh", attributes: spoof.merging(["execID": "e1"]) { a, _ in a }),
        ]
        let execs = ["e1": ExecDetails(execID: "e1", user: "root", privileged: true, tty: true, entrypoint: "sh", arguments: [])]
        let analysis = S.analyze(events, execs: execs)
        #expect(analysis.context.map(\.reason) == [.processExit])
        let exec = try #require(analysis.findings.first)
        #expect(exec.user == "root")
        #expect(exec.privileged == true)
        #expect(exec.severity == .critical)
        // Without exec inspect, the labels still say nothing.
        let unknown = try #require(S.analyze(events).findings.first)
        #expect(unknown.user == nil && unknown.privileged == nil)
        #expect(unknown.severity == .high)
    }

    @Test func reconcilerChangesAreOneUnobservedFindingPerContainerAndGap() throws {
        let gap = Gap(fromNs: S.at(100), toNs: S.at(200), cause: "collector down")
        let events = [
            S.event(200, "update", source: .reconciliation).with(["changes": "memory 512 MiB → 2 GiB; cpus 1 → 2"]),
            S.event(200, "rename", source: .reconciliation).with(["oldName": "/old"]),
        ]
        let finding = try #require(S.analyze(events, gaps: [gap]).findings.first)
        #expect(S.analyze(events, gaps: [gap]).findings.count == 1)
        #expect(finding.kind == .unobserved)
        #expect(finding.severity == .high)
        #expect(finding.changes == ["memory 512 MiB → 2 GiB", "cpus 1 → 2"])
        #expect(finding.gap == Finding.GapBounds(fromNs: gap.fromNs, toNs: gap.toNs))
    }

    @Test func reconcilerStartsOfRestartPolicyContainersAreTheDaemon() {
        let gap = Gap(fromNs: S.at(100), toNs: S.at(200), cause: "daemon restart")
        let events = [S.event(150, "start", source: .reconciliation)]
        let analysis = S.analyze(events, snapshots: [id: S.history(S.state(restartPolicy: "always"))], gaps: [gap])
        #expect(analysis.findings.isEmpty)
        #expect(analysis.context.map(\.reason) == [.daemonRestart])
    }

    @Test func commitCopyOutAndImagePullAreMediumFindings() {
        let events = [
            S.event(1, "commit"), S.event(2, "archive-path"),
            S.event(3, "pull", id: "nginx:1.27", name: "nginx:1.27", type: "image"),
        ]
        let findings = S.analyze(events).findings
        #expect(findings.map(\.kind) == [.image, .copy, .commit])
        #expect(findings.allSatisfy { $0.severity == .medium })
    }

    @Test func resizeAndTopAreNotChanges() {
        let analysis = S.analyze([S.event(1, "resize"), S.event(2, "top")])
        #expect(analysis.findings.isEmpty)
        #expect(analysis.context.map(\.reason) == [.notAChange, .notAChange])
    }
}

extension MatcherEvent {
    func with(_ extra: [String: String]) -> MatcherEvent {
        var copy = self
        copy.attributes.merge(extra) { _, new in new }
        return copy
    }
}
