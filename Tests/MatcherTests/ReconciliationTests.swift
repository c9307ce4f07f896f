import Testing
@testable import Matcher

/// The periodic full reconciliation: which deployment last recreated every service container, how
/// long each has run since, and `--max-age` turning age into a low finding.
@Suite struct ReconciliationTests {
    typealias S = Scenario

    func create(_ seconds: Double, _ service: String, id: String, temporary: Bool = false) -> MatcherEvent {
        let name = temporary ? "0123456789ab_shop_\(service)_1" : "shop_\(service)_1"
        return S.event(seconds, "create", id: id, name: name,
                       attributes: ["com.docker.compose.project": "shop", "com.docker.compose.service": service])
    }

    func deployment(_ id: String, _ start: Double, _ end: Double) -> Deployment {
        Deployment(id: id, project: "shop", status: .success, startedAtNs: S.at(start), finishedAtNs: S.at(end), clock: .local,
                   steps: [.init(command: "docker-compose -p shop up -d --force-recreate", effects: [.containers, .images])])
    }

    func running(_ service: String, id: String, created: Double) -> RunningContainer {
        RunningContainer(id: id, name: "shop_\(service)_1", project: "shop", service: service, createdNs: S.at(created))
    }

    @Test func theLastFullRecreateAndTheOldestContainerFirst() throws {
        let creates = [
            create(1001, "api", id: "api1"), create(1002, "worker", id: "worker1"),
            // The second deployment recreated only the api.
            create(2001, "api", id: "api2", temporary: true),
            // By hand, outside any deployment.
            create(2500, "cache", id: "cache1"),
        ]
        let current = [running("api", id: "api2", created: 2001), running("worker", id: "worker1", created: 1002),
                       running("cache", id: "cache1", created: 2500)]
        let deployments = [deployment("d1", 1000, 1010), deployment("d2", 2000, 2010)]
        var onWorker = S.analyze([S.event(1500, "update", id: "worker1", name: "shop_worker_1")]).findings[0]
        onWorker.container.id = "worker1"
        let (projects, aged) = Matcher.reconciliation(running: current, creates: creates, deployments: deployments, host: S.host,
                                                      findings: [onWorker], maxAgeNs: 1200 * 1_000_000_000, now: S.at(2600))
        let shop = try #require(projects.first)
        // Nothing recreated every service the project runs now: the cache was never deployed.
        #expect(shop.lastFullRecreate == nil)
        #expect(shop.containers.map(\.name) == ["shop_cache_1", "shop_worker_1", "shop_api_1"])
        #expect(shop.containers.map(\.deploymentID) == [nil, "d1", "d2"])
        #expect(shop.containers.map(\.outOfBand) == [0, 1, 0])
        // Older than 20 minutes since its last in-band recreate: only the worker (1598 s).
        #expect(aged.map(\.container.name) == ["shop_worker_1"])
        #expect(aged.first?.kind == .notRecreated)
        #expect(aged.first?.severity == .low)
        #expect(aged.first?.detail == "running 26m38s since deployment d1 last recreated it")
        // An acknowledgement applies to it like to any finding.
        let ack = Ack(findingID: try #require(aged.first?.id), by: "ops", reason: "recreate scheduled", atNs: S.at(2550))
        let acked = Matcher.reconciliation(running: current, creates: creates, deployments: deployments, host: S.host,
                                           findings: [], acks: [ack], maxAgeNs: 1200 * 1_000_000_000, now: S.at(2600)).findings
        #expect(acked.map(\.status) == [.acknowledged])

        let deployed = Matcher.reconciliation(running: Array(current.prefix(2)), creates: creates, deployments: deployments, host: S.host,
                                              findings: [], maxAgeNs: nil, now: S.at(2600)).projects
        // Without the cache, d1 recreated both services the project runs; d2 only the api.
        #expect(deployed.first?.lastFullRecreate?.deploymentID == "d1")
        #expect(deployed.first?.lastFullRecreate?.atNs == S.at(1002))
    }
}
