/// One published port, in the shape Docker keeps it in `HostConfig.PortBindings`.
public struct PortBinding: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Host address; empty means all interfaces (`0.0.0.0` is normalised to empty).
    public var hostIP: String
    /// Host port or range as Docker stores it; empty means "any free port".
    public var hostPort: String
    public var containerPort: Int
    /// `tcp`, `udp` or `sctp`.
    public var proto: String

    public init(hostIP: String, hostPort: String, containerPort: Int, proto: String) {
        self.hostIP = hostIP == "0.0.0.0" ? "" : hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto.lowercased()
    }

    /// The `HostConfig.PortBindings` key this binding lives under, such as `80/tcp`.
    public var containerKey: String { "\(containerPort)/\(proto)" }

    public var description: String {
        let host = hostIP.isEmpty ? hostPort : "\(hostIP.contains(":") ? "[\(hostIP)]" : hostIP):\(hostPort)"
        return host.isEmpty ? containerKey : "\(host)->\(containerKey)"
    }

    public static func < (a: PortBinding, b: PortBinding) -> Bool {
        (a.containerPort, a.proto, a.hostIP, a.hostPort) < (b.containerPort, b.proto, b.hostIP, b.hostPort)
    }
}
