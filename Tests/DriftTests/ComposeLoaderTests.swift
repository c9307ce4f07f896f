#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
@testable import Drift

@Suite struct ComposeLoaderTests {
    /// A fresh project directory named `name` holding `files`.
    private func project(_ name: String, _ files: [String: String]) throws -> String {
        let dir = "/tmp/drift-tests-\(UUID().uuidString)/\(name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (file, text) in files {
            #expect(FileManager.default.createFile(atPath: dir + "/" + file, contents: Data(text.utf8)))
        }
        return dir
    }

    private func remove(_ dir: String) {
        try? FileManager.default.removeItem(atPath: PathResolver.directory(of: dir))
    }

    @Test func processEnvironmentWinsOverEnvFileWhichWinsOverDotEnv() throws {
        let dir = try project("app", [
            "compose.yml": """
            services:
              web:
                image: "nginx:${TAG}"
                environment:
                  FROM_DOT_ENV: ${ONLY_DOT}
                  FROM_ENV_FILE: ${LAYERED}
                  FROM_PROCESS: ${WINNER}
            """,
            ".env": "TAG=1.0\nONLY_DOT=dot\nLAYERED=dot\nWINNER=dot\n",
            "prod.env": "LAYERED=envfile\nWINNER=envfile\n",
        ])
        defer { remove(dir) }
        let loaded = try ComposeLoader.load(files: [dir + "/compose.yml"], projectName: nil,
                                            envFile: dir + "/prod.env", environment: ["WINNER": "process"])
        let web = try #require(loaded.services["web"])
        #expect(web.image == "nginx:1.0")
        #expect(web.environment == ["FROM_DOT_ENV": "dot", "FROM_ENV_FILE": "envfile", "FROM_PROCESS": "process"])
        #expect(loaded.files == [dir + "/compose.yml"])
    }

    @Test func projectNameFromDirectoryIsNormalised() throws {
        let dir = try project("My.Shop_App-2", ["docker-compose.yml": "services:\n  web:\n    image: x\n"])
        defer { remove(dir) }
        let loaded = try ComposeLoader.load(files: [dir + "/docker-compose.yml"], projectName: nil, envFile: nil,
                                            environment: [:])
        #expect(loaded.name == "myshop_app-2")
    }

    @Test func projectNamePrecedence() throws {
        let withName = "name: Top-Level\nservices:\n  web:\n    image: x\n"
        let without = "services:\n  web:\n    image: x\n"
        #expect(try Fixtures.load([withName], variables: ["COMPOSE_PROJECT_NAME": "fromenv"], projectName: "Cli").name == "cli")
        #expect(try Fixtures.load([withName], variables: ["COMPOSE_PROJECT_NAME": "fromenv"]).name == "top-level")
        #expect(try Fixtures.load([without], variables: ["COMPOSE_PROJECT_NAME": "FromEnv"]).name == "fromenv")
        #expect(try Fixtures.load([without]).name == "proj")
    }

    @Test func serviceEnvFileIsLoadedAndEnvironmentWins() throws {
        let dir = try project("svc", [
            "docker-compose.yml": """
            services:
              api:
                image: x
                env_file:
                  - ./api.env
                environment:
                  OVERRIDDEN: compose
            """,
            "api.env": "# settings\nexport GREETING=\"hello world\"\nOVERRIDDEN=file\nLITERAL='$NOT_EXPANDED'\nINHERITED\n",
        ])
        defer { remove(dir) }
        let loaded = try ComposeLoader.load(files: [dir + "/docker-compose.yml"], projectName: nil, envFile: nil,
                                            environment: ["INHERITED": "from-shell"])
        #expect(loaded.services["api"]?.environment == [
            "GREETING": "hello world", "OVERRIDDEN": "compose", "LITERAL": "$NOT_EXPANDED", "INHERITED": "from-shell",
        ])
    }

    @Test func laterFilesOverrideEarlierOnes() throws {
        let dir = try project("multi", [
            "docker-compose.yml": "services:\n  web:\n    image: nginx:1.24\n    mem_limit: 256m\n",
            "docker-compose.prod.yml": "services:\n  web:\n    image: nginx:1.25\n",
        ])
        defer { remove(dir) }
        let loaded = try ComposeLoader.load(files: [dir + "/docker-compose.yml", dir + "/docker-compose.prod.yml"],
                                            projectName: nil, envFile: nil, environment: [:])
        #expect(loaded.services["web"]?.image == "nginx:1.25")
        #expect(loaded.services["web"]?.memoryBytes == 268_435_456)
        #expect(loaded.name == "multi")
    }

    @Test func yamlSyntaxErrorNamesFileAndLine() {
        let broken = "services:\n  web:\n    image: x\n   ports: [\"80\"\n"
        let error = #expect(throws: DriftError.self) { try Fixtures.load([broken]) }
        let message = error?.message ?? ""
        #expect(message == "compose file file1.yml line 4: invalid yaml: did not find expected key while parsing a block mapping (column 4)")
    }

    /// Yams composes nodes recursively: 5,000 nested flow collections overflowed the stack (SIGSEGV).
    @Test func nestingDeeperThanAnyManifestIsAnError() {
        let deep = "services: {}\nx-deep: " + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + "\n"
        let error = #expect(throws: DriftError.self) { try Fixtures.load([deep]) }
        #expect(error?.message == "compose file file1.yml: nested deeper than 256 levels")
        let quoted = "services: {}\nx-text: \"" + String(repeating: "[", count: 300) + "\"\n"
        #expect(throws: Never.self) { try Fixtures.load([quoted]) }
    }

    /// Aliases expand where they are used: nine lines of anchors stood for 9^9 values.
    @Test func aliasExpansionIsBounded() {
        var yaml = "services: {}\nx-a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 { yaml += "x-a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n" }
        let error = #expect(throws: DriftError.self) { try Fixtures.load([yaml]) }
        #expect(error?.message == "compose file file1.yml: more than 1000000 values (aliases expanding?)")
    }

    @Test func unreadableFileIsReported() {
        let error = #expect(throws: DriftError.self) {
            try ComposeLoader.load(files: ["/nonexistent/compose.yml"], projectName: nil, envFile: nil, environment: [:])
        }
        #expect(error?.message == "compose file /nonexistent/compose.yml: cannot be read")
    }

    @Test func ignoreRulesComeFromXAuditIgnore() throws {
        let yaml = "x-audit-ignore:\n  - api.env\n  - \"*.labels\"\nservices:\n  api:\n    image: x\n"
        let loaded = try Fixtures.load([yaml])
        #expect(loaded.ignore == [IgnoreRule(service: "api", field: "env"), IgnoreRule(service: "*", field: "labels")])
        let bad = "x-audit-ignore: [nodot]\nservices: {}\n"
        let error = #expect(throws: DriftError.self) { try Fixtures.load([bad]) }
        #expect(error?.message == "compose file file1.yml line 1: invalid ignore rule \"nodot\": expected service.field or *.field")
    }

    /// `docker compose config` output (v2): merged, interpolated, long syntax, absolute paths.
    @Test func loadsDockerComposeConfigOutput() throws {
        let project = try ComposeLoader.load(
            sources: [.init(path: "expected.yml", text: Fixtures.text("compose-config-output.yml"))],
            projectDirectory: "/somewhere/else", projectName: nil, variables: [:])
        #expect(project.name == "shop")
        let api = try #require(project.services["api"])
        #expect(api.memoryBytes == 536_870_912)
        #expect(api.memoryReservationBytes == 268_435_456)
        #expect(api.nanoCPUs == 1_500_000_000)
        #expect(api.environment["DB_PASSWORD"] == "pa$word")
        #expect(api.command == ["gunicorn", "-b", "0.0.0.0:8000", "shop.wsgi"])
        #expect(api.healthcheck?.interval == 30_000_000_000)
        let web = try #require(project.services["web"])
        #expect(web.ports == [
            PortBinding(hostIP: "", hostPort: "8080", containerPort: 80, proto: "tcp"),
            PortBinding(hostIP: "127.0.0.1", hostPort: "8443", containerPort: 443, proto: "tcp"),
        ])
        #expect(web.mounts == [
            MountSpec(type: "bind", source: "/srv/shop/html", target: "/usr/share/nginx/html", readOnly: true),
            MountSpec(type: "volume", source: "shop_web-cache", target: "/var/cache/nginx", readOnly: false),
        ])
    }
}
