/// One stored Docker event as the matcher reads it. The lead maps store rows into this; the matcher
/// never sees SQLite or the wire format.
public struct MatcherEvent: Sendable, Equatable {
    /// Where the event came from: the live stream, an `ingest` of `docker events` output, or the
    /// reconciler's comparison after a gap in coverage.
    public enum Source: String, Sendable {
        case stream
        case ingest
        case reconciliation
    }

    public var timeNano: Int64
    /// `container`, `image`, `network`, …
    public var type: String
    /// The base action (`exec_start`), podman's names already normalised to Docker's.
    public var action: String
    /// What the daemon appended after `": "`: the exec command, or the health status.
    public var detail: String?
    public var actorID: String
    /// `attributes["name"]`, the daemon's own key.
    public var name: String?
    /// Every attribute, container labels included; labels can shadow keys the daemon does not set on
    /// this event, so only the daemon's keys (`name`, `image`, `execID`, `oldName`) are read.
    public var attributes: [String: String]
    public var source: Source
    /// The container's compose project and service, from its labels as stored per actor.
    public var project: String?
    public var service: String?

    /// `name`, `project` and `service` default to what `attributes` carry.
    public init(
        timeNano: Int64, type: String = "container", action: String, detail: String? = nil, actorID: String,
        name: String? = nil, attributes: [String: String] = [:], source: Source = .stream,
        project: String? = nil, service: String? = nil
    ) {
        self.timeNano = timeNano
        self.type = type
        self.action = action
        self.detail = detail
        self.actorID = actorID
        self.name = name ?? attributes["name"]
        self.attributes = attributes
        self.source = source
        self.project = project ?? attributes[ComposeLabel.project]
        self.service = service ?? attributes[ComposeLabel.service]
    }

    /// The exec this event belongs to; the daemon sets `execID` after copying labels, so a label of
    /// that name cannot replace it.
    var execID: String? { attributes["execID"] }
}

/// The compose labels the matcher reads.
public enum ComposeLabel {
    public static let project = "com.docker.compose.project"
    public static let service = "com.docker.compose.service"
}
