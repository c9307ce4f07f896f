import AuditSupport
import Testing
@testable import Drift

@Suite struct DriftCheckerTests {
    let project: ComposeProject
    let containers: [ActualContainer]

    init() throws {
        project = try Fixtures.shopProject()
        containers = try Fixtures.shopContainers()
    }

    /// The shop fixtures with one container changed by `change`.
    private func drift(_ service: String, images: ImageFacts = Fixtures.shopImages, ignore: [IgnoreRule] = [],
                       _ change: (inout ActualContainer) -> Void) -> [DriftItem] {
        var changed = containers
        let index = changed.firstIndex { $0.service == service }!
        change(&changed[index])
        return DriftChecker.compare(expected: project, actual: changed, images: images, ignore: ignore)
    }

    private func container(_ service: String) -> DriftItem.ContainerRef {
        DriftChecker.ref(containers.first { $0.service == service }!)
    }

    @Test func matchingContainersYieldNoDrift() {
        #expect(DriftChecker.compare(expected: project, actual: containers, images: Fixtures.shopImages).isEmpty)
        #expect(DriftChecker.compare(expected: project, actual: containers, images: .none).isEmpty)
    }

    @Test func imageReferenceChange() {
        let items = drift("web") { $0.imageReference = "nginx:1.24.0" }
        #expect(items == [DriftItem(service: "web", container: container("web"), field: "image",
                                    expected: "nginx:1.25.3", actual: "nginx:1.24.0", severity: .high, kind: .imageDrift)])
    }

    @Test func equivalentReferenceSpellingsAreNotDrift() throws {
        let hub = try Fixtures.load(["services:\n  web:\n    image: docker.io/library/nginx\n"])
        var web = containers[0]
        web.labels["com.docker.compose.project"] = "proj"
        web.imageReference = "nginx:latest"
        let items = DriftChecker.compare(expected: hub, actual: [web], ignore: [IgnoreRule(service: "*", field: "ports"),
                                                                             IgnoreRule(service: "*", field: "mounts"),
                                                                             IgnoreRule(service: "*", field: "memory"),
                                                                             IgnoreRule(service: "*", field: "cpus"),
                                                                             IgnoreRule(service: "*", field: "restart")])
        #expect(items.isEmpty)
    }

    @Test func digestPinNotInRepoDigests() {
        var images = Fixtures.shopImages
        let other = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
        images.repoDigests[Fixtures.apiID] = ["ghcr.io/acme/shop-api@\(other)"]
        let items = drift("api", images: images) { _ in }
        #expect(items == [DriftItem(service: "api", container: container("api"), field: "image.digest",
                                    expected: Fixtures.apiDigest, actual: "ghcr.io/acme/shop-api@\(other)",
                                    severity: .high, kind: .imageDrift)])
    }

    @Test func referenceNowResolvesToAnotherImage() {
        var images = Fixtures.shopImages
        let newer = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
        images.currentImageIDs["nginx:1.25.3"] = newer
        let items = drift("web", images: images) { _ in }
        #expect(items == [DriftItem(service: "web", container: container("web"), field: "image.id",
                                    expected: newer, actual: Fixtures.nginxID, severity: .high, kind: .imageDrift)])
    }

    @Test func resourceLimits() {
        let items = drift("api") {
            $0.memory = 1_073_741_824
            $0.memoryReservation = 0
            $0.nanoCPUs = 2_000_000_000
            $0.pidsLimit = -1
            $0.cpuShares = 1024
        }
        let ref = container("api")
        #expect(items == [
            DriftItem(service: "api", container: ref, field: "memory", expected: "512 MiB", actual: "1 GiB",
                      severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "memory_reservation", expected: "256 MiB", actual: nil,
                      severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "cpus", expected: "1.5", actual: "2",
                      severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "cpu_shares", expected: nil, actual: "1024",
                      severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "pids_limit", expected: "200", actual: nil,
                      severity: .medium, kind: .configDrift),
        ])
    }

    @Test func dockerDefaultsEqualAbsent() {
        let items = drift("db") {
            $0.pidsLimit = -1
            $0.memory = 0
            $0.networkMode = "default"
        }
        #expect(items.isEmpty)
    }

    @Test func environmentChangesWithSecretsMasked() {
        let items = drift("api") {
            $0.env = $0.env.filter { !$0.hasPrefix("DATABASE_URL=") }.map {
                $0.hasPrefix("DB_PASSWORD=") ? "DB_PASSWORD=rotated" : $0 == "LOG_LEVEL=info" ? "LOG_LEVEL=debug" : $0
            } + ["DEBUG=1", "API_TOKEN=abc"]
        }
        let ref = container("api")
        func env(_ key: String, _ expected: String?, _ actual: String?) -> DriftItem {
            DriftItem(service: "api", container: ref, field: "env.\(key)", expected: expected, actual: actual,
                      severity: .medium, kind: .configDrift)
        }
        #expect(items == [
            env("DATABASE_URL", "postgres://shop@db:5432/shop", nil),
            env("DB_PASSWORD", "***", "***"),
            env("LOG_LEVEL", "info", "debug"),
            env("API_TOKEN", nil, "***"),
            env("DEBUG", nil, "1"),
        ])
    }

    /// A container recreated by hand with `-e DEBUG=1`: without the image's env the extra variable is
    /// still reported, marked unverified; with it, verified.
    @Test func extraEnvironmentKeysAreUnverifiedWithoutImageEnv() throws {
        #expect(drift("api", images: .none) { $0.env.append("DEBUG=1") }.isEmpty, "live checks without image facts stay quiet")
        var api = containers.first { $0.service == "api" }!
        api.env.append("DEBUG=1")
        let offline = DriftChecker.compare(expected: project, actual: containers.filter { $0.service != "api" } + [api], reportUnverified: true)
            .filter { $0.service == "api" }
        let debug = try #require(offline.first { $0.field == "env.DEBUG" })
        #expect(debug.unverified == "may come from the image; pass --images to confirm")
        #expect(debug.severity == .low)
        #expect(debug.sentence == "env DEBUG=1 is set in the container, not in the manifest (unverified: may come from the image; pass --images to confirm)")
        // The image's own variables cannot be told apart without it: unverified too, never verified.
        #expect(offline.allSatisfy { $0.unverified != nil && $0.expected == nil }, "\(offline)")
        let verified = drift("api") { $0.env.append("DEBUG=1") }
        #expect(verified == [DriftItem(service: "api", container: container("api"), field: "env.DEBUG", expected: nil, actual: "1",
                                       severity: .medium, kind: .configDrift)])
    }

    @Test func differencesReadAsSentences() {
        #expect(DriftSentence.describe(service: "api", field: "container", expected: "running", actual: "exited")
            == "service api is not running (its container is exited); the manifest runs it")
        #expect(DriftSentence.describe(service: "api", field: "container", expected: "running", actual: nil)
            == "service api has no container; the manifest runs it")
        #expect(DriftSentence.describe(service: "api", field: "memory", expected: "512 MiB", actual: "2 GiB")
            == "memory is 2 GiB; the manifest says 512 MiB")
        #expect(DriftSentence.describe(service: "api", field: "env.MODE", expected: "production", actual: nil)
            == "env MODE is production in the manifest; the container has none")
        #expect(DriftSentence.describe(service: "old", field: "service", expected: nil, actual: "old")
            == "a container of service old runs, but the manifest has no such service")
    }

    @Test func commandUserAndWorkingDir() {
        let items = drift("api") {
            $0.cmd = ["gunicorn", "-b", "0.0.0.0:9000", "shop.wsgi"]
            $0.entrypoint = ["/bin/sh"]
            $0.user = "root"
            $0.workingDir = "/"
        }
        let ref = container("api")
        #expect(items == [
            DriftItem(service: "api", container: ref, field: "command",
                      expected: #"["gunicorn", "-b", "0.0.0.0:8000", "shop.wsgi"]"#,
                      actual: #"["gunicorn", "-b", "0.0.0.0:9000", "shop.wsgi"]"#, severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "user", expected: "1000:1000", actual: "root",
                      severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "working_dir", expected: "/app", actual: "/",
                      severity: .medium, kind: .configDrift),
        ])
    }

    @Test func labelsDeclaredAndExtra() {
        let items = drift("web") {
            $0.labels["com.example.tier"] = "backend"
            $0.labels["com.example.hotfix"] = "true"
            $0.labels["com.docker.compose.config-hash"] = "changed"
        }
        let ref = container("web")
        #expect(items == [
            DriftItem(service: "web", container: ref, field: "labels.com.example.tier", expected: "frontend",
                      actual: "backend", severity: .low, kind: .configDrift),
            DriftItem(service: "web", container: ref, field: "labels.com.example.hotfix", expected: nil,
                      actual: "true", severity: .low, kind: .configDrift),
        ])
    }

    @Test func restartPolicyAndHealthcheck() {
        let items = drift("api") {
            $0.restartPolicy = RestartPolicy(name: "")
            $0.healthcheck?.interval = 60_000_000_000
            $0.healthcheck?.test = ["CMD-SHELL", "true"]
        }
        let ref = container("api")
        #expect(items == [
            DriftItem(service: "api", container: ref, field: "restart", expected: "on-failure:3", actual: "no",
                      severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "healthcheck.test",
                      expected: #"["CMD", "curl", "-f", "http://localhost:8000/health"]"#,
                      actual: #"["CMD-SHELL", "true"]"#, severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "healthcheck.interval", expected: "30s", actual: "1m",
                      severity: .medium, kind: .configDrift),
        ])
    }

    @Test func absentRestartMatchesDockerDefault() throws {
        let manifest = try Fixtures.load(["services:\n  web:\n    image: nginx:1.25.3\n"], projectName: "shop")
        var web = containers[0]
        web.restartPolicy = RestartPolicy(name: "")
        web.portBindings = []
        web.mounts = []
        web.memory = 0
        web.nanoCPUs = 0
        #expect(DriftChecker.compare(expected: manifest, actual: [web]).isEmpty)
    }

    @Test func portsAndMounts() {
        let items = drift("web") {
            $0.portBindings.remove(PortBinding(hostIP: "", hostPort: "8080", containerPort: 80, proto: "tcp"))
            $0.portBindings.insert(PortBinding(hostIP: "0.0.0.0", hostPort: "8081", containerPort: 80, proto: "tcp"))
            $0.mounts[0].readWrite = true
            $0.mounts.append(.init(type: "bind", name: "", source: "/var/run/docker.sock",
                                   destination: "/var/run/docker.sock", readWrite: true))
        }
        let ref = container("web")
        #expect(items == [
            DriftItem(service: "web", container: ref, field: "ports.80/tcp", expected: "8080->80/tcp",
                      actual: "8081->80/tcp", severity: .medium, kind: .configDrift),
            DriftItem(service: "web", container: ref, field: "mounts./usr/share/nginx/html",
                      expected: "bind /srv/shop/html -> /usr/share/nginx/html (ro)",
                      actual: "bind /srv/shop/html -> /usr/share/nginx/html", severity: .medium, kind: .configDrift),
            DriftItem(service: "web", container: ref, field: "mounts./var/run/docker.sock", expected: nil,
                      actual: "bind /var/run/docker.sock -> /var/run/docker.sock", severity: .medium, kind: .configDrift),
        ])
    }

    @Test func networkModePrivilegedAndCapabilities() {
        let items = drift("api") {
            $0.networkMode = "host"
            $0.privileged = true
            $0.capAdd.append("SYS_ADMIN")
            $0.capDrop = []
        }
        let ref = container("api")
        #expect(items == [
            DriftItem(service: "api", container: ref, field: "network_mode", expected: nil, actual: "host",
                      severity: .medium, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "privileged", expected: "false", actual: "true",
                      severity: .high, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "cap_add", expected: "CAP_NET_BIND_SERVICE",
                      actual: "CAP_NET_BIND_SERVICE, CAP_SYS_ADMIN", severity: .high, kind: .configDrift),
            DriftItem(service: "api", container: ref, field: "cap_drop", expected: "ALL", actual: nil,
                      severity: .high, kind: .configDrift),
        ])
    }

    @Test func missingServiceStoppedOrGone() {
        let gone = DriftChecker.compare(expected: project, actual: containers.filter { $0.service != "db" })
        #expect(gone == [DriftItem(service: "db", container: nil, field: "container", expected: "running",
                                   actual: nil, severity: .medium, kind: .missing)])
        let stopped = drift("db") {
            $0.running = false
            $0.status = "exited"
        }
        #expect(stopped == [DriftItem(service: "db", container: container("db"), field: "container",
                                      expected: "running", actual: "exited", severity: .medium, kind: .missing)])
    }

    @Test func scaleMismatch() {
        var second = containers[0]
        second.id = "5e6f" + String(second.id.dropFirst(4))
        second.name = "shop_web_2"
        second.labels["com.docker.compose.container-number"] = "2"
        let items = DriftChecker.compare(expected: project, actual: containers + [second], images: Fixtures.shopImages)
        #expect(items == [DriftItem(service: "web", container: nil, field: "scale", expected: "1", actual: "2",
                                    severity: .medium, kind: .configDrift)])
    }

    @Test func orphansButNotOneOffsOrOtherProjects() {
        var orphan = containers[1]
        orphan.id = "0rph4n"
        orphan.name = "shop_worker_1"
        orphan.labels["com.docker.compose.service"] = "worker"
        var oneOff = containers[1]
        oneOff.name = "shop_api_run_1f2e3d"
        oneOff.labels["com.docker.compose.oneoff"] = "True"
        oneOff.labels["com.docker.compose.service"] = "migrate"
        var foreign = containers[1]
        foreign.labels["com.docker.compose.project"] = "blog"
        foreign.labels["com.docker.compose.service"] = "cron"
        let items = DriftChecker.compare(expected: project, actual: containers + [orphan, oneOff, foreign],
                                         images: Fixtures.shopImages)
        #expect(items == [DriftItem(service: "worker", container: .init(id: "0rph4n", name: "shop_worker_1"),
                                    field: "service", expected: nil, actual: "worker", severity: .high, kind: .orphan)])
    }

    @Test func ignoreRulesFromManifestAndCaller() throws {
        let text = try Fixtures.text("shop/docker-compose.yml") + "\nx-audit-ignore:\n  - api.env\n"
        let manifest = try ComposeLoader.load(sources: [.init(path: "docker-compose.yml", text: text)],
                                              projectDirectory: "/srv/shop", projectName: nil,
                                              variables: Fixtures.shopEnvironment)
        var changed = containers
        changed[1].env.append("DEBUG=1")
        changed[1].memory = 0
        changed[0].memory = 0
        let items = DriftChecker.compare(expected: manifest, actual: changed, images: Fixtures.shopImages,
                                         ignore: [IgnoreRule(service: "*", field: "memory")])
        #expect(items.isEmpty)
    }

    @Test func itemsEncodeAsJSON() throws {
        let item = DriftItem(service: "api", container: .init(id: "abc", name: "shop_api_1"), field: "memory",
                             expected: "512 MiB", actual: "1 GiB", severity: .medium, kind: .configDrift)
        let data = try JSONEncoderForTests.encode(item)
        #expect(data.contains(#""kind":"config-drift""#))
        #expect(data.contains(#""severity":"medium""#))
    }
}
