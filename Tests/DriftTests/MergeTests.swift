import Testing
@testable import Drift

/// Cases from the Compose Specification's "Merge" section, named after its headings.
@Suite struct MergeTests {
    @Test func specMappingMergesKeysAndOverridesConflicts() throws {
        let base = "services:\n  foo:\n    image: one\n    user: base\n    working_dir: /base\n"
        let overlay = "services:\n  foo:\n    user: override\n    privileged: true\n"
        let foo = try Fixtures.service([base, overlay], "foo")
        #expect(foo.image == "one")
        #expect(foo.user == "override")
        #expect(foo.workingDir == "/base")
        #expect(foo.privileged)
    }

    @Test func specSequenceAppendsValues() throws {
        let merged = try mergedTree([
            "services:\n  foo:\n    dns:\n      - 1.1.1.1\n    cap_add: [NET_ADMIN]\n",
            "services:\n  foo:\n    dns:\n      - 8.8.8.8\n    cap_add: [SYS_TIME, NET_ADMIN]\n",
        ])
        #expect(merged["services"]?["foo"]?["dns"]?.sequence?.compactMap(\.string) == ["1.1.1.1", "8.8.8.8"])
        let foo = try Fixtures.service([
            "services:\n  foo:\n    image: x\n    cap_add: [NET_ADMIN]\n",
            "services:\n  foo:\n    cap_add: [SYS_TIME, NET_ADMIN]\n",
        ], "foo")
        #expect(foo.capAdd == ["CAP_NET_ADMIN", "CAP_SYS_TIME"])
    }

    @Test func specShellCommandsCommandEntrypointAndHealthcheckTestAreReplaced() throws {
        let foo = try Fixtures.service([
            """
            services:
              foo:
                image: x
                command: ["echo", "foo"]
                entrypoint: ["/bin/sh", "-c"]
                healthcheck:
                  test: ["CMD", "true"]
                  interval: 10s
            """,
            """
            services:
              foo:
                command: ["echo", "bar"]
                entrypoint: ["/init"]
                healthcheck:
                  test: ["CMD", "false"]
            """,
        ], "foo")
        #expect(foo.command == ["echo", "bar"])
        #expect(foo.entrypoint == ["/init"])
        #expect(foo.healthcheck?.test == ["CMD", "false"])
        #expect(foo.healthcheck?.interval == 10_000_000_000)
    }

    @Test func specUniqueResourcesVolumesMergeByTarget() throws {
        let foo = try Fixtures.service([
            "services:\n  foo:\n    image: x\n    volumes:\n      - foo:/work\n      - ./logs:/logs\n",
            "services:\n  foo:\n    volumes:\n      - bar:/work\n",
        ], "foo")
        #expect(foo.mounts == [
            MountSpec(type: "volume", source: "proj_bar", target: "/work", readOnly: false),
            MountSpec(type: "bind", source: "/proj/logs", target: "/logs", readOnly: false),
        ])
    }

    @Test func specUniqueResourcesPortsMergeByIPTargetPublishedProtocol() throws {
        let foo = try Fixtures.service([
            "services:\n  foo:\n    image: x\n    ports: [\"8080:80\", \"53:53/udp\"]\n",
            "services:\n  foo:\n    ports:\n      - target: 80\n        published: 8080\n      - \"9090:90\"\n",
        ], "foo")
        #expect(foo.ports == [
            PortBinding(hostIP: "", hostPort: "8080", containerPort: 80, proto: "tcp"),
            PortBinding(hostIP: "", hostPort: "53", containerPort: 53, proto: "udp"),
            PortBinding(hostIP: "", hostPort: "9090", containerPort: 90, proto: "tcp"),
        ])
        let tree = try mergedTree([
            "services:\n  foo:\n    ports: [\"8080:80\"]\n",
            "services:\n  foo:\n    ports: [\"8080:80\", \"8081:80\"]\n",
        ])
        #expect(tree["services"]?["foo"]?["ports"]?.sequence?.compactMap(\.string) == ["8080:80", "8081:80"])
    }

    @Test func specUniqueResourcesSecretsMergeByTarget() throws {
        let tree = try mergedTree([
            "services:\n  foo:\n    secrets:\n      - source: a\n        target: /run/secrets/key\n      - other\n",
            "services:\n  foo:\n    secrets:\n      - source: b\n        target: /run/secrets/key\n",
        ])
        let secrets = try #require(tree["services"]?["foo"]?["secrets"]?.sequence)
        #expect(secrets.count == 2)
        #expect(secrets[0]["source"]?.string == "b")
        #expect(secrets[1].string == "other")
    }

    @Test func specResetValueRemovesPortsAndEnvironmentKey() throws {
        let foo = try Fixtures.service([
            "services:\n  foo:\n    image: myapp\n    ports:\n      - \"8080:80\"\n    environment:\n      FOO: BAR\n      KEEP: yes\n",
            "services:\n  foo:\n    image: myapp\n    ports: !reset []\n    environment:\n      FOO: !reset null\n",
        ], "foo")
        #expect(foo.ports.isEmpty)
        #expect(foo.environment == ["KEEP": "yes"])
    }

    @Test func specReplaceValueOverridesInsteadOfAppending() throws {
        let foo = try Fixtures.service([
            "services:\n  foo:\n    image: myapp\n    ports:\n      - \"8080:80\"\n",
            "services:\n  foo:\n    ports: !override\n      - \"8443:443\"\n",
        ], "foo")
        #expect(foo.ports == [PortBinding(hostIP: "", hostPort: "8443", containerPort: 443, proto: "tcp")])
    }

    @Test func environmentListAndMapFormsMergeByKey() throws {
        let foo = try Fixtures.service([
            "services:\n  foo:\n    image: x\n    environment:\n      - A=1\n      - B=2\n",
            "services:\n  foo:\n    environment:\n      B: three\n      C: \"4\"\n",
        ], "foo")
        #expect(foo.environment == ["A": "1", "B": "three", "C": "4"])
    }

    @Test func labelsMergeByKeyAcrossForms() throws {
        let foo = try Fixtures.service([
            "services:\n  foo:\n    image: x\n    labels:\n      a: \"1\"\n      b: \"2\"\n",
            "services:\n  foo:\n    labels:\n      - b=two\n",
        ], "foo")
        #expect(foo.labels == ["a": "1", "b": "two"])
    }

    @Test func extraHostsSysctlsAndUlimitsMergeByKey() throws {
        let tree = try mergedTree([
            "services:\n  foo:\n    extra_hosts: [\"db:10.0.0.2\", \"cache=10.0.0.3\"]\n    sysctls: [net.core.somaxconn=1024]\n    ulimits:\n      nproc: 65535\n      nofile: {soft: 1024, hard: 2048}\n",
            "services:\n  foo:\n    extra_hosts: {db: 10.0.0.9}\n    sysctls: {net.ipv4.tcp_syncookies: \"0\"}\n    ulimits:\n      nofile: {hard: 4096}\n",
        ])
        let foo = try #require(tree["services"]?["foo"])
        #expect(foo["extra_hosts"]?["db"]?.string == "10.0.0.9")
        #expect(foo["extra_hosts"]?["cache"]?.string == "10.0.0.3")
        #expect(foo["sysctls"]?.mapping?.keys.sorted() == ["net.core.somaxconn", "net.ipv4.tcp_syncookies"])
        #expect(foo["ulimits"]?["nproc"]?.string == "65535")
        #expect(foo["ulimits"]?["nofile"]?["soft"]?.string == "1024")
        #expect(foo["ulimits"]?["nofile"]?["hard"]?.string == "4096")
    }

    @Test func loggingOptionsMergeOnlyWithTheSameDriver() throws {
        let same = try mergedTree([
            "services:\n  foo:\n    logging:\n      driver: json-file\n      options: {max-size: 10m}\n",
            "services:\n  foo:\n    logging:\n      options: {max-file: \"3\"}\n",
        ])
        #expect(same["services"]?["foo"]?["logging"]?["options"]?.mapping?.keys.sorted() == ["max-file", "max-size"])
        let other = try mergedTree([
            "services:\n  foo:\n    logging:\n      driver: json-file\n      options: {max-size: 10m}\n",
            "services:\n  foo:\n    logging:\n      driver: syslog\n      options: {syslog-address: \"udp://1.2.3.4:514\"}\n",
        ])
        #expect(other["services"]?["foo"]?["logging"]?["options"]?.mapping?.keys.sorted() == ["syslog-address"])
    }

    @Test func buildStringFormMergesWithMapForm() throws {
        let tree = try mergedTree([
            "services:\n  foo:\n    build: ./app\n",
            "services:\n  foo:\n    build:\n      dockerfile: Dockerfile.prod\n      args: [VERSION=2]\n",
        ])
        let build = try #require(tree["services"]?["foo"]?["build"])
        #expect(build["context"]?.string == "./app")
        #expect(build["dockerfile"]?.string == "Dockerfile.prod")
        #expect(build["args"]?["VERSION"]?.string == "2")
    }

    @Test func yamlMergeKeysAreExpanded() throws {
        let foo = try Fixtures.service(["""
        x-defaults: &defaults
          restart: always
          mem_limit: 128m
        services:
          foo:
            <<: *defaults
            image: x
            mem_limit: 256m
        """], "foo")
        #expect(foo.restart == RestartPolicy(name: "always"))
        #expect(foo.memoryBytes == 268_435_456)
    }

    private func mergedTree(_ texts: [String]) throws -> ComposeValue {
        var merged: ComposeValue?
        for (index, text) in texts.enumerated() {
            let tree = try YAMLReader(file: "f\(index).yml", interpolator: Interpolator(variables: [:])).read(text)
            merged = ComposeMerger.merge(merged, tree)
        }
        return try #require(merged)
    }
}
