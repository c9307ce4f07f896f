import Foundation
import AuditSupport
import Testing
@testable import Matcher

/// Statuses, acknowledgements, ids and the JSON shape.
@Suite struct LifecycleTests {
    typealias S = Scenario
    let id = "c1aaaaaaaaaa0000"
    let labels = ["com.docker.compose.project": "shop", "com.docker.compose.service": "api"]
    var update: MatcherEvent { S.event(10, "update", attributes: labels) }
    let snapshots = ["c1aaaaaaaaaa0000": SnapshotHistory([
        SnapshotEntry(takenNs: Scenario.at(10.1), triggerNs: Scenario.at(10), reason: "event", state: Scenario.state(),
                      configChangesFromPrevious: ["memory 512 MiB → 2 GiB"]),
    ])]

    @Test func aChangeStillInEffectIsOpen() throws {
        let finding = try #require(S.analyze([update], snapshots: snapshots).findings.first)
        #expect(finding.status == .open)
        #expect(finding.changes == ["memory 512 MiB → 2 GiB"])
    }

    @Test func aLaterDeploymentRecreatingTheServiceReconcilesIt() throws {
        let recreate = S.event(500, "create", id: "newcontainer0000", name: "shop_api_1", attributes: labels)
        let deployment = Deployment(id: "deploy-42", project: "shop", status: .success, startedAtNs: S.at(490), finishedAtNs: S.at(520))
        let finding = try #require(S.analyze([update, recreate], snapshots: snapshots, deployments: [deployment]).findings.first)
        #expect(finding.status == .reconciled)
        #expect(finding.resolution?.deploymentID == "deploy-42")
        #expect(finding.status(at: S.at(400)) == .open)
    }

    @Test func aRemovedContainerIsGone() throws {
        let finding = try #require(S.analyze([update, S.event(50, "destroy")], snapshots: snapshots).findings.last)
        #expect(finding.kind == .update)
        #expect(finding.status == .gone)
    }

    @Test func acknowledgementsExpireIntoStale() throws {
        let open = try #require(S.analyze([update], snapshots: snapshots).findings.first)
        let ack = Ack(findingID: open.id, by: "alice", reason: "hotfix for INC-12", atNs: S.at(20), expiresNs: S.at(1000))
        let acked = try #require(S.analyze([update], snapshots: snapshots, acks: [ack], now: 500).findings.first)
        #expect(acked.status == .acknowledged)
        #expect(acked.ack?.by == "alice")
        #expect(acked.status(at: S.at(999)) == .acknowledged)
        #expect(acked.status(at: S.at(1000)) == .stale)
        #expect(acked.status(at: S.at(15)) == .open)
        let stale = try #require(S.analyze([update], snapshots: snapshots, acks: [ack], now: 2000).findings.first)
        #expect(stale.status == .stale)
        let forever = Ack(findingID: open.id, by: "bob", reason: "accepted", atNs: S.at(20))
        #expect(S.analyze([update], snapshots: snapshots, acks: [forever]).findings.first?.status == .acknowledged)
    }

    @Test func aResolutionWinsOverAnAcknowledgement() throws {
        let open = try #require(S.analyze([update], snapshots: snapshots).findings.first)
        let ack = Ack(findingID: open.id, by: "alice", reason: "ok", atNs: S.at(20), expiresNs: S.at(30))
        let finding = try #require(S.analyze([update, S.event(60, "destroy")], snapshots: snapshots, acks: [ack]).findings.last)
        #expect(finding.status == .gone)
    }

    @Test func execSeverity() throws {
        func severity(user: String, privileged: Bool, tty: Bool, containerUser: String? = nil) throws -> Severity {
            let event = S.event(1, "exec_start", detail: "sh", attributes: ["execID": "e1"])
            let execs = ["e1": ExecDetails(execID: "e1", user: user, privileged: privileged, tty: tty, entrypoint: "sh", arguments: [])]
            let snapshots = [id: S.history(S.state(user: containerUser))]
            return try #require(S.analyze([event], snapshots: snapshots, execs: execs).findings.first).severity
        }
        #expect(try severity(user: "app", privileged: true, tty: false) == .critical)
        #expect(try severity(user: "root", privileged: false, tty: true) == .critical)
        #expect(try severity(user: "0", privileged: false, tty: true) == .critical)
        #expect(try severity(user: "", privileged: false, tty: true) == .critical)
        #expect(try severity(user: "", privileged: false, tty: true, containerUser: "app") == .high)
        #expect(try severity(user: "root", privileged: false, tty: false) == .high)
        #expect(try severity(user: "app", privileged: false, tty: true) == .high)
    }

    @Test func secretsAreMaskedInExecFindings() throws {
        let event = S.event(1, "exec_start", detail: "psql --password hunter2 -c DB_TOKEN=abc", attributes: ["execID": "e1"])
        let finding = try #require(S.analyze([event]).findings.first)
        #expect(finding.command == "psql --password *** -c DB_TOKEN=***")
        #expect(!finding.detail.contains("hunter2") && !finding.detail.contains("abc"))
    }

    @Test func idsAreStableSixteenHexDigits() throws {
        let a = try #require(S.analyze([update], snapshots: snapshots).findings.first)
        let b = try #require(S.analyze([update, S.event(90, "pause")], snapshots: snapshots).findings.last)
        #expect(a.id == b.id)
        #expect(a.id.count == 16 && a.id.allSatisfy(\.isHexDigit))
        #expect(FindingID.make(actorID: "x", timeNano: 1, action: "start") != FindingID.make(actorID: "x", timeNano: 2, action: "start"))
    }

    @Test func findingsEncodeWithTheReportKeysAndRoundTrip() throws {
        let gap = Gap(fromNs: S.at(100), toNs: S.at(200), cause: "collector down")
        let events = [S.event(200, "destroy", source: .reconciliation), update, S.event(60, "destroy")]
        let analysis = S.analyze(events, snapshots: snapshots, gaps: [gap])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(analysis.findings)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let unobserved = try #require(json.first { $0["kind"] as? String == "unobserved" })
        #expect((unobserved["gap"] as? [String: String])?["from"] == RFC3339.format(Timestamp(nanoseconds: gap.fromNs)))
        #expect(unobserved["time"] as? String != nil)
        let container = try #require(unobserved["container"] as? [String: Any])
        #expect(container["id"] as? String == id)
        let decoded = try JSONDecoder().decode([Finding].self, from: data)
        #expect(decoded == analysis.findings)
    }

    @Test func findingsAreNewestFirstAndLimitedToTheWindow() {
        let events = [S.event(1, "pause"), S.event(2, "unpause"), S.event(2_000_000, "pause")]
        let analysis = S.analyze(events)
        #expect(analysis.findings.map(\.action) == ["unpause", "pause"])
    }
}
