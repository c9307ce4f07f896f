import AuditSupport

/// One deployment as the auditor records it: who changed what on which host between two instants.
/// Events inside the window are attributed to it; `id` makes repeated posts of the same deployment
/// update one record instead of adding another.
public struct DeploymentRecord: Sendable, Equatable {
    /// Where the record came from.
    public enum Source: String, Sendable, CaseIterable {
        case webhook
        case github
        case gitlab
        case cli
        case logImport = "log-import"
    }

    /// How far the deployment got. `inProgress` opens the window; the other three close it.
    public enum Status: String, Sendable, CaseIterable {
        case inProgress = "in_progress"
        case success
        case failure
        case cancelled

        /// True once the deployment has ended and `finishedAt` is known.
        public var isFinal: Bool { self != .inProgress }
    }

    /// The idempotency key: the same id posted again updates this record.
    public var id: String
    public var source: Source
    public var environment: String?
    /// The Docker host deployed to; nil means any host.
    public var host: String?
    /// The compose project or stack name.
    public var project: String?
    /// The services deployed; nil means the whole project.
    public var services: [String]?
    /// Service name → image reference, possibly pinned by `@sha256:` digest.
    public var images: [String: String]?
    public var commit: String?
    public var ref: String?
    public var actor: String?
    public var url: String?
    public var status: Status
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?
    /// Container names the deployment's own output says it touched.
    public var touched: [String]?
    /// How the record was derived when that limits its precision.
    public var note: String?

    public init(
        id: String, source: Source, environment: String? = nil, host: String? = nil, project: String? = nil,
        services: [String]? = nil, images: [String: String]? = nil, commit: String? = nil, ref: String? = nil,
        actor: String? = nil, url: String? = nil, status: Status, startedAt: Timestamp, finishedAt: Timestamp? = nil,
        touched: [String]? = nil, note: String? = nil
    ) {
        self.id = id
        self.source = source
        self.environment = environment
        self.host = host
        self.project = project
        self.services = services
        self.images = images
        self.commit = commit
        self.ref = ref
        self.actor = actor
        self.url = url
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.touched = touched
        self.note = note
    }
}
