import Testing
@testable import Matcher

/// Which deployment covers a change, at the edges.
@Suite struct AttributionTests {
    typealias S = Scenario
    let labels = ["com.docker.compose.project": "shop", "com.docker.compose.service": "api"]

    func exec(at seconds: Double) -> MatcherEvent {
        S.event(seconds, "exec_start", detail: "rake db:migrate", attributes: labels.merging(["execID": "e\(seconds)"]) { a, _ in a })
    }

    func record(_ status: Deployment.Status = .success, start: Double = 1000, end: Double? = 1100, host: String? = nil,
                project: String? = "shop", services: [String]? = nil, images: [String: String]? = nil, touched: [String]? = nil) -> Deployment {
        Deployment(id: "d1", host: host, project: project, services: services, images: images, status: status,
                   startedAtNs: S.at(start), finishedAtNs: end.map(S.at), touched: touched)
    }

    func isInBand(_ event: MatcherEvent, _ deployment: Deployment, tolerance: Int64? = nil) -> Bool {
        S.analyze([event], deployments: [deployment], tolerance: tolerance).findings.isEmpty
    }

    /// A webhook record with nothing measured: 2 s either side.
    @Test func toleranceAroundTheWindow() {
        #expect(isInBand(exec(at: 998.5), record()))
        #expect(!isInBand(exec(at: 997.5), record()))
        #expect(isInBand(exec(at: 1101.5), record()))
        #expect(!isInBand(exec(at: 1102.5), record()))
        #expect(isInBand(exec(at: 965), record(), tolerance: 60 * 1_000_000_000))
    }

    @Test func anInProgressRecordCoversAtMostThirtyMinutes() {
        #expect(isInBand(exec(at: 1000 + 29 * 60), record(.inProgress, end: nil)))
        #expect(!isInBand(exec(at: 1000 + 31 * 60), record(.inProgress, end: nil)))
    }

    @Test func failedAndCancelledDeploymentsStillCover() {
        #expect(isInBand(exec(at: 1050), record(.failure)))
        #expect(isInBand(exec(at: 1050), record(.cancelled)))
    }

    /// The reconciliation's shortcut names the same deployment as the full verdict, for creates before,
    /// inside, at the edges of and after records of every kind of window.
    @Test func theCoveringShortcutAgreesWithTheVerdict() {
        let records = [
            record(start: 1000, end: 1100), record(.inProgress, start: 2000, end: nil), record(start: 3000, end: 3000.5),
            record(start: 4000, end: 4100, project: "blog"), record(start: 5000, end: 5100, host: "prod-2"),
        ].enumerated().map { i, r in
            var r = r
            r.id = "d\(i)"
            return r
        }
        let attributor = Attributor(deployments: records, host: S.host, toleranceOverride: nil)
        var covered = 0
        for seconds in stride(from: 900.0, through: 5300, by: 0.75) {
            let create = S.event(seconds, "create", attributes: labels)
            let change = Change(kind: .unmanagedContainer, anchor: create, name: create.name)
            var byVerdict: String?
            if case let .inBand(d, _) = attributor.verdict(for: change) { byVerdict = d.id }
            #expect(attributor.covering(change)?.id == byVerdict, "at \(seconds) s")
            if byVerdict != nil { covered += 1 }
        }
        #expect(covered > 100, "the cases include covered ones: \(covered)")
    }

    /// A fleet: the same change on another host than the record's is that host's finding, and says so.
    @Test func aRecordForAnotherHostIsTheReasonGiven() {
        let findings = S.analyze([exec(at: 1050)], deployments: [record(host: "prod-2")], tolerance: nil).findings
        let why = findings.first?.why ?? ""
        #expect(why.contains("deployment d1 would cover it but was for host prod-2, not \(S.host)"), "\(why)")
    }

    @Test func hostProjectAndServiceMustMatch() {
        #expect(isInBand(exec(at: 1050), record(host: S.host)))
        #expect(!isInBand(exec(at: 1050), record(host: "prod-2")))
        #expect(isInBand(exec(at: 1050), record(project: nil)))
        #expect(!isInBand(exec(at: 1050), record(project: "blog")))
        #expect(isInBand(exec(at: 1050), record(services: ["api", "worker"])))
        #expect(!isInBand(exec(at: 1050), record(services: ["worker"])))
        // A plain container is not part of a project's deployment, unless the record names it.
        let plain = S.event(1050, "exec_start", name: "adhoc", detail: "sh", attributes: ["execID": "x"])
        #expect(!isInBand(plain, record()))
        #expect(isInBand(plain, record(touched: ["adhoc"])))
    }

    @Test func aLateDeploymentRecordChangesTheOutcome() {
        let events = [exec(at: 1050)]
        #expect(S.analyze(events).findings.count == 1)
        let later = S.analyze(events, deployments: [record()])
        #expect(later.findings.isEmpty)
        #expect(later.inBand.map(\.deploymentID) == ["d1"])
    }

    @Test func aRecreateThatBeganInsideTheWindowIsInBandAsAWhole() {
        let old = "0123456789abcdef0000", new = "fedcba9876543210ffff"
        let events = [
            S.event(1101, "create", id: new, name: "0123456789ab_shop_api_1", attributes: labels),
            S.event(1105, "kill", id: old, name: "shop_api_1", attributes: labels),
            S.event(1115, "die", id: old, name: "shop_api_1", attributes: labels),
            S.event(1116, "stop", id: old, name: "shop_api_1", attributes: labels),
            S.event(1117, "destroy", id: old, name: "shop_api_1", attributes: labels),
            S.event(1118, "rename", id: new, name: "shop_api_1", attributes: labels),
            S.event(1120, "start", id: new, name: "shop_api_1", attributes: labels),
        ]
        let analysis = S.analyze(events, deployments: [record()])
        #expect(analysis.findings.isEmpty)
        #expect(analysis.inBand.count == 7)
    }

    @Test func anInBandContainerOnAnotherImageThanDeclaredIsImageDrift() throws {
        let create = S.event(1050, "create", attributes: labels.merging(["image": "shop/api:1.3"]) { a, _ in a })
        let drift = S.analyze([create], deployments: [record(images: ["api": "shop/api:1.4"])])
        let finding = try #require(drift.findings.first)
        #expect(finding.kind == .imageDrift)
        #expect(finding.detail.contains("declared shop/api:1.4"))
        #expect(S.analyze([create], deployments: [record(images: ["api": "docker.io/shop/api:1.3"])]).findings.isEmpty)
        // Digest pins match the snapshot's image.
        let digest = "sha256:" + String(repeating: "1", count: 64)
        #expect(S.analyze([create], snapshots: ["c1aaaaaaaaaa0000": S.history(S.state())],
                          deployments: [record(images: ["api": "shop/api@" + digest])]).findings.isEmpty)
    }

    @Test func aManualCreateOfADeclaredServiceIsDriftOnlyWhenTheImageDiffers() throws {
        let create = { (image: String) in S.event(5000, "create", attributes: self.labels.merging(["image": image]) { a, _ in a }) }
        let declared = [record(images: ["api": "shop/api:1.4"])]
        #expect(S.analyze([create("shop/api:1.4")], deployments: declared).findings.map(\.kind) == [.unmanagedContainer])
        #expect(S.analyze([create("shop/api:1.5")], deployments: declared).findings.map(\.kind) == [.imageDrift])
        // Without compose labels it is simply unmanaged.
        let plain = S.event(5000, "create", name: "adhoc", attributes: ["image": "shop/api:1.5"])
        #expect(S.analyze([plain], deployments: declared).findings.map(\.kind) == [.unmanagedContainer])
    }

    @Test func imagePullsDuringADeploymentAreInBand() {
        let pull = S.event(1010, "pull", id: "shop/api:1.4", name: "shop/api:1.4", type: "image")
        #expect(isInBand(pull, record()))
        #expect(!isInBand(pull, record(host: "prod-2")))
    }
}
