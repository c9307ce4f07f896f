import Foundation
import Testing

/// `audit drift` against a project deployed by docker-compose 1.29 on the private engine, live and
/// offline.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct DriftIntegrationTests {
    struct Item: Hashable, CustomStringConvertible {
        let service, field, kind: String
        let expected, actual: String?
        var description: String { "\(service) \(field) [\(kind)] \(expected ?? "nil") → \(actual ?? "nil")" }
    }

    static let fixtures = TestEngine.packageRoot + "/Tests/CollectorTests/Fixtures/shop"

    func compose(_ project: String, _ arguments: String...) async throws -> String {
        try await TestEngine.run(["docker-compose", "-p", project, "-f", Self.fixtures + "/docker-compose.yml",
                                  "-f", Self.fixtures + "/docker-compose.production.yml"] + arguments,
                                 environment: ["DOCKER_HOST": try TestEngine.requireHost()])
    }

    func drift(_ arguments: [String]) async throws -> [Item] {
        let json = try await TestEngine.run([TestEngine.auditBinary, "drift", "--format", "json"] + arguments,
                                            environment: ["DOCKER_HOST": try TestEngine.requireHost()])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let items = try #require(report["items"] as? [[String: Any]])
        return items.map { Item(service: $0["service"] as! String, field: $0["field"] as! String, kind: $0["kind"] as! String,
                               expected: $0["expected"] as? String, actual: $0["actual"] as? String) }
    }

    func live(_ project: String) async throws -> [Item] {
        try await drift(["-p", project, "-f", Self.fixtures + "/docker-compose.yml", "-f", Self.fixtures + "/docker-compose.production.yml"])
    }

    @Test func aCleanDeployShowsNoDriftAndEachManualChangeIsReported() async throws {
        let host = try TestEngine.requireHost()
        let project = "drift\(UInt16.random(in: 0...UInt16.max))"
        _ = try await compose(project, "up", "-d")
        defer {
            TestEngine.cleanup(["docker-compose", "-p", project, "-f", Self.fixtures + "/docker-compose.yml", "-f", Self.fixtures + "/docker-compose.production.yml",
                                "down", "--remove-orphans", "-t", "1"], environment: ["DOCKER_HOST": host])
            TestEngine.removeContainer("\(project)_debug_1")
        }

        // The false-positive test: what compose just deployed matches the manifest exactly.
        #expect(try await live(project) == [])

        // By hand: a memory bump, a worker recreated with another image tag and an extra env var,
        // a container that only claims to belong to the project, and a stopped service.
        try await TestEngine.docker("update", "--memory", "128m", "--memory-swap", "256m", "\(project)_api_1")
        try await TestEngine.docker("rm", "-f", "\(project)_worker_1")
        let compose = ["--label", "com.docker.compose.project=\(project)", "--label", "com.docker.compose.container-number=1", "--label", "com.docker.compose.oneoff=False"]
        try await TestEngine.run(["docker", "run", "-d", "--network", "none", "--name", "\(project)_worker_1", "--restart", "unless-stopped",
                                  "-e", "QUEUE=jobs", "-e", "EXTRA=1", "--label", "com.docker.compose.service=worker"] + compose
                                 + ["audit-test/busybox:2", "sleep", "3600"], environment: ["DOCKER_HOST": host])
        try await TestEngine.run(["docker", "run", "-d", "--network", "none", "--name", "\(project)_debug_1", "--label", "com.docker.compose.service=debug"] + compose
                                 + ["audit-test/busybox:1", "sleep", "3600"], environment: ["DOCKER_HOST": host])
        try await TestEngine.docker("stop", "-t", "1", "\(project)_cache_1")

        let expected: Set<Item> = [
            Item(service: "api", field: "memory", kind: "config-drift", expected: "64 MiB", actual: "128 MiB"),
            Item(service: "worker", field: "image", kind: "image-drift", expected: "audit-test/busybox:1", actual: "audit-test/busybox:2"),
            Item(service: "worker", field: "env.EXTRA", kind: "config-drift", expected: nil, actual: "1"),
            Item(service: "debug", field: "service", kind: "orphan", expected: nil, actual: "debug"),
            Item(service: "cache", field: "container", kind: "missing", expected: "running", actual: "exited"),
        ]
        let found = try await live(project)
        #expect(Set(found) == expected, "unexpected: \(Set(found).subtracting(expected)); missing: \(expected.subtracting(found))")

        // Offline: the same answer from files an auditor could be sent.
        try await withTemporaryDirectory { dir in
            try (try await self.compose(project, "config")).write(toFile: dir + "/expected.yml", atomically: true, encoding: .utf8)
            let ids = try await TestEngine.docker("ps", "-aq", "--filter", "label=com.docker.compose.project=\(project)").split(separator: "\n").map(String.init)
            try (try await TestEngine.run(["docker", "inspect"] + ids, environment: ["DOCKER_HOST": host])).write(toFile: dir + "/actual.json", atomically: true, encoding: .utf8)
            let imageIDs = try await TestEngine.run(["docker", "inspect", "-f", "{{.Image}}"] + ids, environment: ["DOCKER_HOST": host]).split(separator: "\n").map(String.init)
            try (try await TestEngine.run(["docker", "image", "inspect"] + Array(Set(imageIDs)) + ["audit-test/busybox:1"], environment: ["DOCKER_HOST": host]))
                .write(toFile: dir + "/images.json", atomically: true, encoding: .utf8)
            let offline = try await drift(["--expected", dir + "/expected.yml", "--actual", dir + "/actual.json", "--images", dir + "/images.json"])
            #expect(Set(offline) == Set(found))

            // Without the images' env, the hand-recreated worker's EXTRA=1 is still reported, unverified;
            // with --images it is verified. Details read as sentences.
            func items(_ extra: [String]) async throws -> [[String: Any]] {
                let json = try await TestEngine.run([TestEngine.auditBinary, "drift", "--format", "json", "--expected", dir + "/expected.yml",
                                                     "--actual", dir + "/actual.json"] + extra)
                return try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["items"] as? [[String: Any]])
            }
            let unverified = try #require(try await items([]).first { $0["field"] as? String == "env.EXTRA" })
            #expect(unverified["unverified"] as? String == "may come from the image; pass --images to confirm")
            #expect(unverified["detail"] as? String == "env EXTRA=1 is set in the container, not in the manifest (unverified: may come from the image; pass --images to confirm)")
            let withImages = try await items(["--images", dir + "/images.json"])
            let verified = try #require(withImages.first { $0["field"] as? String == "env.EXTRA" })
            #expect(verified["unverified"] == nil)
            #expect(withImages.first { $0["field"] as? String == "container" }?["detail"] as? String
                == "service cache is not running (its container is exited); the manifest runs it")
        }

        // --fail-on: exit 3 when drift at or above the level exists.
        await #expect(throws: TestEngine.CommandFailed.self) {
            try await TestEngine.run([TestEngine.auditBinary, "drift", "-p", project, "-f", Self.fixtures + "/docker-compose.yml", "--fail-on", "high"],
                                     environment: ["DOCKER_HOST": host])
        }
    }

    @Test func theCollectorChecksDriftOnAScheduleAndClosesFindingsWhenBackInLine() async throws {
        let host = try TestEngine.requireHost()
        let project = "cont\(UInt16.random(in: 0...UInt16.max))"
        let files = ["-f", Self.fixtures + "/docker-compose.yml", "-f", Self.fixtures + "/docker-compose.production.yml"]
        _ = try await compose(project, "up", "-d")
        defer {
            TestEngine.cleanup(["docker-compose", "-p", project] + files + ["down", "-t", "1"], environment: ["DOCKER_HOST": host])
        }
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let child = try ChildProcess([TestEngine.auditBinary, "collect", "--db", db, "--docker-host", host,
                                          "--compose-file", Self.fixtures + "/docker-compose.yml", "--compose-file", Self.fixtures + "/docker-compose.production.yml",
                                          "-p", project, "--drift-interval", "1s"], stdout: dir + "/collect.log", stderr: dir + "/collect.log")
            defer { child.signal(SIGKILL); _ = child.waitBlocking() }
            func driftFindings() async throws -> [[String: Any]] {
                let text = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", db, "--since", "10m", "--format", "json", "--project", project])
                let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                return (json["findings"] as? [[String: Any]] ?? []).filter { $0["action"] as? String == "drift" }
            }
            func log() -> String { (try? String(contentsOfFile: dir + "/collect.log", encoding: .utf8)) ?? "" }
            try await eventually("a first clean drift check") { log().contains("drift.items=0") }
            #expect(try await driftFindings().isEmpty)

            try await TestEngine.docker("update", "--memory", "96m", "--memory-swap", "192m", "\(project)_api_1")
            var memory: [String: Any]?
            try await eventually("the memory drift stored as a finding", timeout: .seconds(30)) {
                memory = try await driftFindings().first { ($0["changes"] as? [String])?.first?.hasPrefix("memory") == true }
                return memory?["status"] as? String == "open"
            }
            #expect(memory?["kind"] as? String == "config-drift")
            #expect((memory?["changes"] as? [String]) == ["memory 64 MiB → 96 MiB"])

            try await TestEngine.docker("update", "--memory", "64m", "--memory-swap", "128m", "\(project)_api_1")
            let id = memory?["id"] as? String
            try await eventually("the finding closed once the field is back in line", timeout: .seconds(30)) {
                try await driftFindings().first { $0["id"] as? String == id }?["status"] as? String == "reconciled"
            }
            child.signal(SIGTERM)
            #expect(await child.wait() == 0)
        }
    }

    @Test func anUnreadableManifestIsAUsageErrorNamingTheFileAndLine() async throws {
        try await withTemporaryDirectory { dir in
            try "services:\n  api:\n    image: [unclosed\n".write(toFile: dir + "/bad.yml", atomically: true, encoding: .utf8)
            do {
                try await TestEngine.run([TestEngine.auditBinary, "drift", "-f", dir + "/bad.yml"])
                Issue.record("a broken manifest was accepted")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 2)
                #expect(failure.stderr.contains("bad.yml"))
                #expect(failure.stderr.contains("line"))
            }
        }
    }
}
