import AuditSupport
import Testing
@testable import Drift

@Suite struct NormalisationTests {
    @Test(arguments: [
        ("512m", Int64(536_870_912)), ("512M", 536_870_912), ("536870912", 536_870_912), ("512MiB", 536_870_912),
        ("512mb", 536_870_912), ("1g", 1_073_741_824), ("1.5g", 1_610_612_736), ("100k", 102_400),
        ("1024b", 1024), ("2GB", 2_147_483_648),
    ])
    func byteSizes(text: String, bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test func invalidByteSizes() {
        #expect(ByteSize.parse("12zz") == nil)
        #expect(ByteSize.parse("m") == nil)
        #expect(ByteSize.parse("-1m") == nil)
    }

    @Test func bytesFormatForHumans() {
        #expect(ByteSize.format(536_870_912) == "512 MiB")
        #expect(ByteSize.format(2_147_483_648) == "2 GiB")
        #expect(ByteSize.format(1_610_612_736) == "1.5 GiB")
        #expect(ByteSize.format(102_400) == "100 KiB")
        #expect(ByteSize.format(1000) == "1000 B")
    }

    @Test func memoryLimitFromEveryForm() throws {
        let yaml = """
        services:
          a: {image: x, mem_limit: 512m}
          b: {image: x, mem_limit: 536870912}
          c: {image: x, deploy: {resources: {limits: {memory: 512M}, reservations: {memory: 1g}}}}
          d: {image: x, mem_reservation: 100k}
        """
        let services = try Fixtures.load([yaml]).services
        #expect(services["a"]?.memoryBytes == 536_870_912)
        #expect(services["b"]?.memoryBytes == 536_870_912)
        #expect(services["c"]?.memoryBytes == 536_870_912)
        #expect(services["c"]?.memoryReservationBytes == 1_073_741_824)
        #expect(services["d"]?.memoryReservationBytes == 102_400)
    }

    @Test func cpusBecomeNanoCPUs() throws {
        let yaml = """
        services:
          a: {image: x, cpus: 1.5}
          b: {image: x, deploy: {resources: {limits: {cpus: '0.25'}}}}
          c: {image: x, cpus: 2, cpu_shares: 512, pids_limit: 100}
        """
        let services = try Fixtures.load([yaml]).services
        #expect(services["a"]?.nanoCPUs == 1_500_000_000)
        #expect(services["b"]?.nanoCPUs == 250_000_000)
        #expect(services["c"]?.nanoCPUs == 2_000_000_000)
        #expect(services["c"]?.cpuShares == 512)
        #expect(services["c"]?.pidsLimit == 100)
    }

    @Test func environmentListMapAndBareKeys() throws {
        let yaml = """
        services:
          list:
            image: x
            environment:
              - A=1
              - B=with=equals
              - FROM_ENV
              - NOT_SET
          map:
            image: x
            environment:
              A: 1
              B: ""
              FROM_ENV:
              NOT_SET:
        """
        let services = try Fixtures.load([yaml], variables: ["FROM_ENV": "inherited"]).services
        #expect(services["list"]?.environment == ["A": "1", "B": "with=equals", "FROM_ENV": "inherited"])
        #expect(services["map"]?.environment == ["A": "1", "B": "", "FROM_ENV": "inherited"])
    }

    @Test func commandAndEntrypointStringsAreSplitLikeAShell() throws {
        let yaml = """
        services:
          a:
            image: x
            command: sh -c 'echo "hello world" && sleep 1' --flag="a b"
            entrypoint: ["/bin/tini", "--"]
        """
        let a = try Fixtures.service([yaml], "a")
        #expect(a.command == ["sh", "-c", "echo \"hello world\" && sleep 1", "--flag=a b"])
        #expect(a.entrypoint == ["/bin/tini", "--"])
    }

    @Test func restartPolicyDefaultsToNo() throws {
        let yaml = """
        services:
          none: {image: x}
          always: {image: x, restart: always}
          retry: {image: x, restart: "on-failure:5"}
          stopped: {image: x, restart: unless-stopped}
          plain: {image: x, restart: "no"}
        """
        let s = try Fixtures.load([yaml]).services
        #expect(s["none"]?.restart == RestartPolicy.no)
        #expect(s["always"]?.restart.description == "always")
        #expect(s["retry"]?.restart == RestartPolicy(name: "on-failure", maximumRetryCount: 5))
        #expect(s["stopped"]?.restart.description == "unless-stopped")
        #expect(s["plain"]?.restart == RestartPolicy.no)
    }

    @Test func healthcheckForms() throws {
        let yaml = """
        services:
          shell:
            image: x
            healthcheck:
              test: curl -f http://localhost
              interval: 1m30s
              timeout: 500ms
              start_period: 1.5s
              retries: 5
          off:
            image: x
            healthcheck:
              disable: true
        """
        let s = try Fixtures.load([yaml]).services
        #expect(s["shell"]?.healthcheck == Healthcheck(test: ["CMD-SHELL", "curl -f http://localhost"],
                                                       interval: 90_000_000_000, timeout: 500_000_000,
                                                       startPeriod: 1_500_000_000, retries: 5))
        #expect(s["off"]?.healthcheck == Healthcheck(test: ["NONE"]))
    }

    /// Issue 9: a number too large for its field is an error naming the field, never an overflow
    /// trap or a port range enumerated into billions of bindings.
    @Test(arguments: [
        ("cpus: 99999999999", "invalid cpu count"),
        ("mem_limit: 8192p", "invalid memory size"),
        ("healthcheck: {test: true, interval: 9999999999h}", "invalid duration"),
        ("healthcheck: {test: true, interval: 2562047h2562047h}", "invalid duration"),
        ("ports: ['0-9223372036854775807:80']", "invalid port"),
        ("ports: ['80:0-9223372036854775807']", "invalid port"),
        ("ports: ['70000:80']", "invalid port"),
    ])
    func numbersBeyondTheirFieldAreErrors(field: String, message: String) {
        let yaml = "services:\n  a: {image: x, \(field)}\n"
        let error = #expect(throws: DriftError.self) { try Fixtures.load([yaml]) }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func portRangesAtTheLimits() throws {
        let a = try Fixtures.service(["services:\n  a: {image: x, ports: ['65534-65535:65534-65535']}\n"], "a")
        #expect(a.ports.count == 2)
    }

    @Test func portsShortAndLongSyntax() throws {
        let yaml = """
        services:
          a:
            image: x
            ports:
              - "8080:80"
              - "127.0.0.1:5353:53/udp"
              - "9000-9001:7000-7001"
              - "3000"
              - "[::1]:6000:6000"
              - target: 443
                published: "8443"
                host_ip: 0.0.0.0
                protocol: tcp
                mode: host
        """
        let a = try Fixtures.service([yaml], "a")
        #expect(a.ports == [
            PortBinding(hostIP: "", hostPort: "8080", containerPort: 80, proto: "tcp"),
            PortBinding(hostIP: "127.0.0.1", hostPort: "5353", containerPort: 53, proto: "udp"),
            PortBinding(hostIP: "", hostPort: "9000", containerPort: 7000, proto: "tcp"),
            PortBinding(hostIP: "", hostPort: "9001", containerPort: 7001, proto: "tcp"),
            PortBinding(hostIP: "", hostPort: "", containerPort: 3000, proto: "tcp"),
            PortBinding(hostIP: "::1", hostPort: "6000", containerPort: 6000, proto: "tcp"),
            PortBinding(hostIP: "", hostPort: "8443", containerPort: 443, proto: "tcp"),
        ])
    }

    @Test func volumesShortNamedAndLongSyntax() throws {
        let yaml = """
        services:
          a:
            image: x
            volumes:
              - ./data:/data:ro
              - ../shared:/shared
              - ~/cfg:/cfg:ro,z
              - cache:/cache
              - external-vol:/ext
              - /anonymous
              - type: bind
                source: ./src
                target: /src
                read_only: true
              - type: tmpfs
                target: /tmp
        volumes:
          cache:
          external-vol:
            external: true
        """
        let a = try Fixtures.service([yaml], "a", variables: ["HOME": "/home/me"])
        #expect(a.mounts == [
            MountSpec(type: "bind", source: "/proj/data", target: "/data", readOnly: true),
            MountSpec(type: "bind", source: "/shared", target: "/shared", readOnly: false),
            MountSpec(type: "bind", source: "/home/me/cfg", target: "/cfg", readOnly: true),
            MountSpec(type: "volume", source: "proj_cache", target: "/cache", readOnly: false),
            MountSpec(type: "volume", source: "external-vol", target: "/ext", readOnly: false),
            MountSpec(type: "volume", source: nil, target: "/anonymous", readOnly: false),
            MountSpec(type: "bind", source: "/proj/src", target: "/src", readOnly: true),
            MountSpec(type: "tmpfs", source: nil, target: "/tmp", readOnly: false),
        ])
    }

    @Test func imageDigestScaleAndSecurityFields() throws {
        let yaml = """
        services:
          a:
            image: registry.example.com:5000/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            scale: 3
            privileged: true
            network_mode: host
            cap_add: [net_admin, CAP_SYS_TIME]
            cap_drop: [ALL]
            labels: [com.example.role=worker, flag]
          b:
            image: x
            deploy: {replicas: 2}
        """
        let s = try Fixtures.load([yaml]).services
        #expect(s["a"]?.imageDigest == "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        #expect(s["a"]?.replicas == 3)
        #expect(s["b"]?.replicas == 2)
        #expect(s["a"]?.privileged == true)
        #expect(s["a"]?.networkMode == "host")
        #expect(s["a"]?.capAdd == ["CAP_NET_ADMIN", "CAP_SYS_TIME"])
        #expect(s["a"]?.capDrop == ["ALL"])
        #expect(s["a"]?.labels == ["com.example.role": "worker", "flag": ""])
    }

    @Test func invalidValuesNameFileLineServiceAndKey() {
        let yaml = "services:\n  api:\n    image: x\n    mem_limit: 12zz\n"
        let error = #expect(throws: DriftError.self) { try Fixtures.load([yaml]) }
        #expect(error?.message == "compose file file1.yml line 4: service api: mem_limit: invalid memory size \"12zz\"")
    }

    @Test func overriddenValueErrorNamesTheOverrideFile() {
        let base = "services:\n  api:\n    image: x\n"
        let overlay = "services:\n  api:\n    restart: sometimes\n"
        let error = #expect(throws: DriftError.self) { try Fixtures.load([base, overlay]) }
        #expect(error?.message == "compose file file2.yml line 3: service api: restart: invalid restart policy \"sometimes\"")
    }
}
