/// Parses compose `ports` entries (short and long syntax) into `PortBinding`s.
enum PortParser {
    /// Why a port entry was rejected; the caller adds the location.
    struct Invalid: Error {
        let text: String
    }

    static func parse(_ value: ComposeValue) throws(Invalid) -> [PortBinding] {
        if let map = value.mapping {
            return try parseLong(map)
        }
        guard let text = value.string else { throw Invalid(text: value.shape) }
        return try parseShort(text)
    }

    /// The "Unique resources" merge key {ip, target, published, protocol}.
    static func uniqueKey(of value: ComposeValue) -> String {
        guard let bindings = try? parse(value) else { return value.shape }
        return bindings.map(\.description).joined(separator: ",")
    }

    /// `[[ip:]host:]container[/proto]`, where host and container may be ranges.
    static func parseShort(_ text: String) throws(Invalid) -> [PortBinding] {
        var spec = Substring(text)
        var proto = "tcp"
        if let slash = spec.lastIndex(of: "/") {
            proto = String(spec[spec.index(after: slash)...])
            spec = spec[..<slash]
        }
        var ip = ""
        // A bracketed IPv6 host address: [::1]:8080:80
        if spec.hasPrefix("["), let close = spec.firstIndex(of: "]") {
            ip = String(spec[spec.index(after: spec.startIndex)..<close])
            spec = spec[spec.index(after: close)...].drop { $0 == ":" }
        }
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let host: String
        let container: String
        switch parts.count {
        case 1: (host, container) = ("", parts[0])
        case 2: (host, container) = (parts[0], parts[1])
        case 3 where ip.isEmpty: (ip, host, container) = (parts[0], parts[1], parts[2])
        default: throw Invalid(text: text)
        }
        return try expand(ip: ip, host: host, container: container, proto: proto, text: text)
    }

    private static func parseLong(_ map: [String: ComposeValue]) throws(Invalid) -> [PortBinding] {
        guard let target = map["target"]?.string else { throw Invalid(text: ComposeValue.mapping(map, nil).shape) }
        return try expand(ip: map["host_ip"]?.string ?? "", host: map["published"]?.string ?? "",
                          container: target, proto: map["protocol"]?.string ?? "tcp", text: target)
    }

    /// Expands ranges: `8080-8081:80-81` publishes two ports; a host range onto a
    /// single container port stays a range, as Docker stores it.
    private static func expand(ip: String, host: String, container: String, proto: String,
                               text: String) throws(Invalid) -> [PortBinding] {
        guard let containerRange = range(container) else { throw Invalid(text: text) }
        let hostRange = host.isEmpty ? nil : range(host)
        if !host.isEmpty && hostRange == nil { throw Invalid(text: text) }
        return containerRange.enumerated().map { offset, port in
            var hostPort = host
            if let hostRange, hostRange.count == containerRange.count {
                hostPort = String(hostRange.lowerBound + offset)
            }
            return PortBinding(hostIP: ip, hostPort: hostPort, containerPort: port, proto: proto)
        }
    }

    /// A port or a range of ports, within 0–65535: a range is expanded into one binding per port.
    private static func range(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), let first = bounds.first, let last = bounds.last,
              let low = Int(first), let high = Int(last), 0 <= low, low <= high, high <= 65535 else { return nil }
        return low...high
    }
}
