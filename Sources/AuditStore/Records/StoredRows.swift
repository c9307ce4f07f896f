/// Rows as the readers return them: plain values any store can produce, so the findings engine reads
/// a fleet store through the same protocol as a host's SQLite file.

/// One snapshot of a container as stored; `snapshot == nil` marks the container's removal.
public struct SnapshotRow: Sendable {
    public var takenNs: Int64
    public var triggerNs: Int64?
    public var reason: String
    public var snapshot: ContainerSnapshot?

    public init(takenNs: Int64, triggerNs: Int64?, reason: String, snapshot: ContainerSnapshot?) {
        self.takenNs = takenNs
        self.triggerNs = triggerNs
        self.reason = reason
        self.snapshot = snapshot
    }
}

/// What the exec inspection said about one exec.
public struct ExecRow: Sendable {
    public var execID: String
    public var user: String?
    public var privileged: Bool
    public var tty: Bool
    public var entrypoint: String?
    public var arguments: [String]

    public init(execID: String, user: String?, privileged: Bool, tty: Bool, entrypoint: String?, arguments: [String]) {
        self.execID = execID
        self.user = user
        self.privileged = privileged
        self.tty = tty
        self.entrypoint = entrypoint
        self.arguments = arguments
    }
}

/// A time the collector was connected to the event stream.
public struct CoverageInterval: Sendable, Equatable {
    public var startedNs: Int64
    public var endNs: Int64
    /// Still connected when read: the end is the last heartbeat.
    public var open: Bool

    public init(startedNs: Int64, endNs: Int64, open: Bool) {
        self.startedNs = startedNs
        self.endNs = endNs
        self.open = open
    }
}

/// A time nobody watched the stream of `dockerHost`, and what the reconciliation after it found.
public struct StoredGap: Sendable, Equatable {
    public var dockerHost: String
    public var fromNs: Int64
    public var toNs: Int64
    public var cause: String
    public var replayed: Int
    public var changesFound: Int?

    public init(dockerHost: String, fromNs: Int64, toNs: Int64, cause: String, replayed: Int, changesFound: Int?) {
        self.dockerHost = dockerHost
        self.fromNs = fromNs
        self.toNs = toNs
        self.cause = cause
        self.replayed = replayed
        self.changesFound = changesFound
    }
}

/// exec_start events of one container and command line, summed over a window.
public struct ExecCommandGroup: Sendable, Equatable {
    public var containerID: String
    /// The store's own key for the container, for reading the group's events back.
    public var actorRow: Int64
    public var command: String
    public var count: Int
    public var firstNs: Int64
    public var lastNs: Int64

    public init(containerID: String, actorRow: Int64, command: String, count: Int, firstNs: Int64, lastNs: Int64) {
        self.containerID = containerID
        self.actorRow = actorRow
        self.command = command
        self.count = count
        self.firstNs = firstNs
        self.lastNs = lastNs
    }
}

/// A compose-labelled container whose latest snapshot shows it running.
public struct RunningComposeContainer: Sendable, Equatable {
    public var id: String
    public var name: String
    public var project: String
    public var service: String?
    /// The snapshot's `Created`, RFC 3339.
    public var created: String?

    public init(id: String, name: String, project: String, service: String?, created: String?) {
        self.id = id
        self.name = name
        self.project = project
        self.service = service
        self.created = created
    }
}
