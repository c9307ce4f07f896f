import ArgumentParser
import DockerAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which Docker engine to read from.
struct DockerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("unix:///path/docker.sock or tcp://host:port (default: $DOCKER_HOST, else unix:///var/run/docker.sock). tcp honours DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.", valueName: "url"))
    var dockerHost: String?

    init() {}

    /// A host already resolved elsewhere (the collector's configuration file).
    init(dockerHost: String?) { self.dockerHost = dockerHost }

    func resolve() throws -> DockerHost {
        do {
            return try DockerHost.resolve(flag: dockerHost, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
