/// A container snapshot as the writer stores it. `snapshot == nil` records that the container is gone.
public struct SnapshotRecord: Sendable {
    public var containerID: String
    public var takenNs: Int64
    public var triggerNs: Int64?
    public var reason: String
    public var snapshot: ContainerSnapshot?

    public init(containerID: String, takenNs: Int64, triggerNs: Int64?, reason: String, snapshot: ContainerSnapshot?) {
        self.containerID = containerID
        self.takenNs = takenNs
        self.triggerNs = triggerNs
        self.reason = reason
        self.snapshot = snapshot
    }
}

/// What `GET /exec/{id}/json` said about one exec.
public struct ExecRecord: Sendable, Equatable {
    public var execID: String
    public var containerID: String
    public var inspectedNs: Int64
    public var user: String?
    public var privileged: Bool?
    public var tty: Bool?
    public var openStdin: Bool?
    public var entrypoint: String?
    public var arguments: [String]

    public init(execID: String, containerID: String, inspectedNs: Int64, user: String?, privileged: Bool?, tty: Bool?, openStdin: Bool?,
                entrypoint: String?, arguments: [String]) {
        self.execID = execID
        self.containerID = containerID
        self.inspectedNs = inspectedNs
        self.user = user
        self.privileged = privileged
        self.tty = tty
        self.openStdin = openStdin
        self.entrypoint = entrypoint
        self.arguments = arguments
    }
}

/// A time nobody was watching the stream, and what the reconciliation after it found.
public struct GapRecord: Sendable, Equatable {
    public var dockerHost: String
    public var fromNs: Int64
    public var toNs: Int64
    public var cause: String
    public var replayed: Int
    public var reconciledNs: Int64?
    public var changesFound: Int?

    public init(dockerHost: String, fromNs: Int64, toNs: Int64, cause: String, replayed: Int, reconciledNs: Int64?, changesFound: Int?) {
        self.dockerHost = dockerHost
        self.fromNs = fromNs
        self.toNs = toNs
        self.cause = cause
        self.replayed = replayed
        self.reconciledNs = reconciledNs
        self.changesFound = changesFound
    }
}
