import HTTPTransport

/// Where the Docker engine listens, resolved the way the docker CLI does: `--docker-host`, then
/// `DOCKER_HOST`, then `/var/run/docker.sock`; `tcp://` honours `DOCKER_TLS_VERIFY` and
/// `DOCKER_CERT_PATH` (ca.pem, cert.pem, key.pem).
public struct DockerHost: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case unix(path: String)
        case tcp(host: String, port: Int)
    }

    public typealias TLS = HTTPRequest.TLSFiles

    public var endpoint: Endpoint
    public var tls: TLS?

    public static let defaultSocket = "/var/run/docker.sock"

    public init(endpoint: Endpoint, tls: TLS? = nil) {
        self.endpoint = endpoint
        self.tls = tls
    }

    /// Resolves the host from a flag value (may be nil) and the environment.
    public static func resolve(flag: String?, environment: [String: String]) throws(DockerError) -> DockerHost {
        let text = flag ?? environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "unix://\(defaultSocket)"
        return try parse(text, environment: environment)
    }

    public static func parse(_ text: String, environment: [String: String] = [:]) throws(DockerError) -> DockerHost {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw .invalidHost(text, "a unix socket path must be absolute") }
            return DockerHost(endpoint: .unix(path: path))
        }
        if text.hasPrefix("/") { return DockerHost(endpoint: .unix(path: text)) }
        if text.hasPrefix("tcp://") || text.hasPrefix("https://") || text.hasPrefix("http://") {
            let rest = text.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? ""
            let parts = rest.split(separator: ":", maxSplits: 1)
            guard let host = parts.first.map(String.init), !host.isEmpty else {
                throw .invalidHost(text, "expected tcp://HOST:PORT")
            }
            let verify = (environment["DOCKER_TLS_VERIFY"].map { !$0.isEmpty && $0 != "0" } ?? false) || text.hasPrefix("https://")
            let certPath = environment["DOCKER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
            let port = parts.count == 2 ? Int(parts[1]) : (verify ? 2376 : 2375)
            guard let port else { throw .invalidHost(text, "the port is not a number") }
            var tls: TLS?
            if verify || certPath != nil {
                let dir = certPath ?? ((environment["HOME"] ?? "") + "/.docker")
                tls = TLS(caFile: dir + "/ca.pem", certFile: dir + "/cert.pem", keyFile: dir + "/key.pem", verify: verify)
            }
            return DockerHost(endpoint: .tcp(host: host, port: port), tls: tls)
        }
        throw .invalidHost(text, "use unix:///path/to/docker.sock or tcp://HOST:PORT")
    }

    public var description: String {
        switch endpoint {
        case .unix(let path): return "unix://\(path)"
        case .tcp(let host, let port): return "tcp://\(host):\(port)"
        }
    }

    /// The base URL curl requests go to; over a unix socket the host part is only a placeholder.
    var baseURL: String {
        switch endpoint {
        case .unix: return "http://docker"
        case .tcp(let host, let port): return "\(tls == nil ? "http" : "https")://\(host):\(port)"
        }
    }
}

extension DockerHost {
    /// A GET of `path` on this engine. Docker never receives anything else from the auditor: every
    /// request `DockerClient` and `EventStream` send is built here.
    func get(_ path: String, timeoutSeconds: Int?) -> HTTPRequest {
        var socket: String?
        if case .unix(let path) = endpoint { socket = path }
        return HTTPRequest(url: baseURL + path, method: .get, unixSocketPath: socket, tls: tls, timeoutSeconds: timeoutSeconds)
    }
}
