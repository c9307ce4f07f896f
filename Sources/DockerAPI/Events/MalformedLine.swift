/// A line of the event stream that could not be decoded: kept with its raw bytes and the reason, so it
/// can be quarantined and counted instead of crashing the collector or vanishing.
public struct MalformedLine: Sendable, Equatable, Error {
    public var raw: [UInt8]
    public var reason: String

    public init(raw: [UInt8], reason: String) {
        self.raw = raw
        self.reason = reason
    }
}

/// What one line of the stream turned into.
public enum StreamItem: Sendable, Equatable {
    case event(DockerEvent)
    case malformed(MalformedLine)
}
