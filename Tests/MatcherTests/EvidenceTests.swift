import Testing
@testable import Matcher

/// What covers a change rests on evidence: the record's clock, what its commands can do, what its
/// output says it touched; and every finding says why the nearest deployment did not cover it.
@Suite struct EvidenceTests {
    typealias S = Scenario
    let api = ["com.docker.compose.project": "myproj", "com.docker.compose.service": "api"]
    let second: Int64 = 1_000_000_000

    func exec(at seconds: Double, labels: [String: String]? = nil, name: String = "myproj_api_1") -> MatcherEvent {
        S.event(seconds, "exec_start", name: name, detail: "sh -c echo hotfix", attributes: (labels ?? api).merging(["execID": "e\(seconds)"]) { a, _ in a })
    }

    func update(at seconds: Double) -> MatcherEvent {
        S.event(seconds, "update", name: "myproj_api_1", attributes: api)
    }

    /// `docker restart`: kill, die, stop, start, restart.
    func restart(at seconds: Double, id: String = "c1aaaaaaaaaa0000", name: String = "myproj_api_1", service: String = "api") -> [MatcherEvent] {
        let labels = ["com.docker.compose.project": "myproj", "com.docker.compose.service": service]
        return ["kill", "die", "stop", "start", "restart"].enumerated().map { i, action in
            S.event(seconds + Double(i) * 0.1, action, id: id, name: name, attributes: labels)
        }
    }

    func deploy(_ clock: Deployment.Clock = .local, start: Double = 1000, end: Double? = 1010, project: String = "myproj",
                status: Deployment.Status = .success, received: Double? = nil, touched: [String]? = nil,
                steps: [Deployment.Step]? = nil) -> Deployment {
        Deployment(id: "cli-20261201T220424Z-3f2a", project: project, status: status, startedAtNs: S.at(start), finishedAtNs: end.map(S.at),
                   touched: touched, clock: clock, receivedAtNs: received.map(S.at), steps: steps)
    }

    static let composeUp = Deployment.Step(command: "docker-compose -p myproj up -d", effects: [.containers, .images])

    @Test func anAuditDeployRecordHasHalfASecondOfSlack() throws {
        let d = deploy(steps: [Self.composeUp])
        let analysis = S.analyze([update(at: 1016.1)], deployments: [d])
        let finding = try #require(analysis.findings.first)
        #expect(finding.why == "myproj deployment cli-20261201T220424Z-3f2a finished 6.1 s before; tolerance 0.5 s (cli record, the collector's clock); its command `docker-compose -p myproj up -d` does not update containers")
        // Inside the half second, a recreate-style change is its own.
        #expect(S.analyze(restart(at: 1010.2), deployments: [deploy()]).findings.isEmpty)
        #expect(S.analyze(restart(at: 1010.6), deployments: [deploy()]).findings.count == 1)
    }

    @Test func aWebhookRecordIsBoundedByWhenItWasReceived() {
        // Nothing measured: 2 s.
        #expect(S.analyze(restart(at: 1011.5), deployments: [deploy(.sender)]).findings.isEmpty)
        #expect(S.analyze(restart(at: 1012.5), deployments: [deploy(.sender)]).findings.count == 1)
        // Received 3.5 s after the sender's own start: its clock may be that far off.
        #expect(S.analyze(restart(at: 1013.2), deployments: [deploy(.sender, received: 1003.5)]).findings.isEmpty)
        // A post that arrived a minute late is a slow post, not a skewed clock: at most 5 s.
        #expect(S.analyze(restart(at: 1014.5), deployments: [deploy(.sender, received: 1060)]).findings.isEmpty)
        let late = S.analyze(restart(at: 1015.5), deployments: [deploy(.sender, received: 1060)])
        #expect(late.findings.first?.why?.contains("tolerance 5.0 s (webhook record, received 50.0 s off its own times)") == true, "\(late.findings)")
    }

    @Test func toleranceOverridesEveryRecord() {
        #expect(S.analyze(restart(at: 1016), deployments: [deploy()], tolerance: 10 * second).findings.isEmpty)
        let finding = S.analyze(restart(at: 1016), deployments: [deploy()], tolerance: second).findings.first
        #expect(finding?.why?.contains("tolerance 1.0 s (--tolerance)") == true)
    }

    @Test func composeCommandsNeverExecOrUpdate() throws {
        let d = deploy(steps: [Self.composeUp])
        let analysis = S.analyze([exec(at: 1005), update(at: 1006)], deployments: [d])
        #expect(analysis.findings.map(\.kind) == [.update, .exec])
        let exec = try #require(analysis.findings.first { $0.kind == .exec })
        #expect(exec.why == "myproj deployment cli-20261201T220424Z-3f2a its command `docker-compose -p myproj up -d` does not exec")
        // A restart is something compose does.
        #expect(S.analyze(restart(at: 1005), deployments: [d]).findings.isEmpty)
    }

    @Test func execAndUpdateLinesAndOpaqueCommandsCoverThoseToo() throws {
        let listed = deploy(steps: [Self.composeUp, .init(command: "docker exec myproj_api_1 rake db:migrate", effects: [.exec])])
        #expect(S.analyze([exec(at: 1005)], deployments: [listed]).findings.isEmpty)
        let script = deploy(steps: [.init(command: "./deploy.sh", effects: nil)])
        let analysis = S.analyze([exec(at: 1005), update(at: 1006)], deployments: [script])
        #expect(analysis.findings.isEmpty)
        let evidence = try #require(analysis.attributed.first?.evidence)
        #expect(evidence.contains("opaque command `./deploy.sh` (its body is unknown) may do anything"), "\(evidence)")
    }

    @Test func aContainerTheOutputDidNotNameIsNotCovered() throws {
        // `myproj_api_1 is up-to-date`: compose named containers and changed none.
        let upToDate = S.analyze(restart(at: 1005), deployments: [deploy(touched: [])])
        let finding = try #require(upToDate.findings.first)
        #expect(finding.why?.hasSuffix("its output says it changed no container") == true, "\(finding.why ?? "")")
        let other = S.analyze(restart(at: 1005), deployments: [deploy(touched: ["myproj_web_1"])])
        #expect(other.findings.first?.why?.contains("its output names the containers it changed (myproj_web_1), not this one") == true)
        #expect(S.analyze(restart(at: 1005), deployments: [deploy(touched: ["myproj_api_1"])]).findings.isEmpty)
    }

    @Test func anExecIntoAnotherProjectDuringADeployIsFound() throws {
        let blog = ["com.docker.compose.project": "blog", "com.docker.compose.service": "web"]
        let analysis = S.analyze([exec(at: 1005, labels: blog, name: "blog_web_1")], deployments: [deploy(end: nil, status: .inProgress, steps: [Self.composeUp])])
        let finding = try #require(analysis.findings.first)
        #expect(finding.why?.contains("it deploys project myproj, not project blog") == true, "\(finding.why ?? "")")
    }

    @Test func eachStepCoversItsOwnWindowWithItsOwnCommand() throws {
        let steps: [Deployment.Step] = [
            .init(command: "docker compose pull", effects: [.images], startedAtNs: S.at(1000), finishedAtNs: S.at(1024)),
            .init(command: "docker compose up -d", effects: [.containers, .images], startedAtNs: S.at(1024), finishedAtNs: S.at(1040)),
        ]
        let d = deploy(.log, end: 1040, steps: steps)
        let pull = S.event(1020, "pull", id: "shop/api:1.4", name: "shop/api:1.4", type: "image")
        #expect(S.analyze([pull], deployments: [d]).findings.isEmpty)
        // A restart during the pull step: `docker compose pull` does not restart containers.
        let finding = try #require(S.analyze(restart(at: 1010), deployments: [d]).findings.first)
        #expect(finding.why?.contains("step `docker compose pull` does not create, start, stop or remove containers") == true, "\(finding.why ?? "")")
        #expect(S.analyze(restart(at: 1030), deployments: [d]).findings.isEmpty)
    }

    @Test func withoutAnyDeploymentTheWhySaysSo() {
        #expect(S.analyze([exec(at: 5)]).findings.first?.why == "no deployment on record for this host around this time")
    }

    @Test func inBandChangesCarryTheirDeploymentAndEvidence() throws {
        let analysis = S.analyze(restart(at: 1005), deployments: [deploy(touched: ["myproj_api_1"], steps: [Self.composeUp])])
        let attributed = try #require(analysis.attributed.first)
        #expect(analysis.attributed.count == 1)
        #expect(attributed.deploymentID == "cli-20261201T220424Z-3f2a")
        #expect(attributed.change == "restart")
        #expect(attributed.evidence == "myproj deployment cli-20261201T220424Z-3f2a: during its window; its command `docker-compose -p myproj up -d` can create, start, stop or remove containers, pull or tag images; its output names myproj_api_1")
    }
}
