import HTTPTransport

/// Everything that can go wrong talking to the Docker engine, with what to do about it.
public enum DockerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidHost(String, String)
    case unreachable(host: String, reason: String)
    case http(status: Int, path: String, message: String)
    case notFound(path: String)
    case invalidResponse(path: String, reason: String)
    case unsupportedAPI(String)
    case cancelled

    public var description: String {
        switch self {
        case .invalidHost(let text, let why):
            return "invalid docker host \"\(text)\": \(why)"
        case .unreachable(let host, let reason):
            return "cannot reach the docker engine at \(host): \(reason); is dockerd running and is the socket readable? (set --docker-host or DOCKER_HOST)"
        case .http(let status, let path, let message):
            return "docker engine answered \(status) to GET \(path): \(message)"
        case .notFound(let path):
            return "not found: GET \(path)"
        case .invalidResponse(let path, let reason):
            return "unexpected answer from the docker engine to GET \(path): \(reason)"
        case .unsupportedAPI(let version):
            return "docker engine API \(version) is older than 1.41 (Engine 20.10), the oldest this auditor supports"
        case .cancelled:
            return "request cancelled"
        }
    }
}

extension DockerError {
    init(_ error: TransferError, host: DockerHost) {
        switch error {
        case .cancelled: self = .cancelled
        case .unreachable(_, let reason): self = .unreachable(host: host.description, reason: reason)
        case .setup(_, let reason): self = .invalidHost(host.description, reason)
        case .tooLarge(let url, let limit): self = .invalidResponse(path: url, reason: "answer larger than \(limit) bytes")
        }
    }
}
