import Testing
@testable import DockerAPI

@Suite struct DockerHostTests {
    @Test func defaultsToTheStandardSocket() throws {
        let host = try DockerHost.resolve(flag: nil, environment: [:])
        #expect(host.endpoint == .unix(path: "/var/run/docker.sock"))
        #expect(host.tls == nil)
    }

    @Test func theFlagWinsOverDockerHost() throws {
        let host = try DockerHost.resolve(flag: "unix:///tmp/x.sock", environment: ["DOCKER_HOST": "tcp://h:1"])
        #expect(host.endpoint == .unix(path: "/tmp/x.sock"))
    }

    @Test func tcpWithTLSUsesTheCertPath() throws {
        let host = try DockerHost.resolve(flag: nil, environment: ["DOCKER_HOST": "tcp://docker.internal:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"])
        #expect(host.endpoint == .tcp(host: "docker.internal", port: 2376))
        #expect(host.tls == DockerHost.TLS(caFile: "/certs/ca.pem", certFile: "/certs/cert.pem", keyFile: "/certs/key.pem", verify: true))
        #expect(host.baseURL == "https://docker.internal:2376")
    }

    @Test func plainTCPDefaultsToPort2375() throws {
        let host = try DockerHost.parse("tcp://10.0.0.5")
        #expect(host.endpoint == .tcp(host: "10.0.0.5", port: 2375))
        #expect(host.baseURL == "http://10.0.0.5:2375")
    }

    @Test func rejectsWhatIsNotAHostWithTheFix() {
        #expect(throws: DockerError.self) { try DockerHost.parse("ssh://user@host") }
        do {
            _ = try DockerHost.parse("unix://relative.sock")
        } catch {
            #expect("\(error)".contains("must be absolute"))
        }
    }

    @Test func sinceIsSentAsSecondsAndNanoseconds() {
        #expect(DockerClient.unixSecondsArgument(1_795_748_251_000_000_042) == "1795748251.000000042")
        #expect(DockerClient.compare("1.41", "1.9") == 1)
        #expect(DockerClient.compare("1.52", "1.52") == 0)
    }
}
