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

    /// One command of a deployment, with its own window: a CI job's step.
    public struct Step: Sendable, Equatable {
        /// The command line as written.
        public var command: String
        public var startedAt: Timestamp
        /// Where the next step or section began, else the step's last line.
        public var finishedAt: Timestamp?
        /// Container names the step's output says it changed (empty: it named only unchanged ones).
        public var touched: [String]?

        public init(command: String, startedAt: Timestamp, finishedAt: Timestamp? = nil, touched: [String]? = nil) {
            self.command = command
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.touched = touched
        }
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
    /// The command lines the deployment ran (`audit deploy -- CMD`, or listed by a webhook sender):
    /// what they can do bounds what the record covers.
    public var commands: [String]?
    /// Each deployment command with its own window (a CI log's steps).
    public var steps: [Step]?
    /// When the store first received the record, on the collector's clock; set by the store, never
    /// taken from a sender.
    public var receivedAt: Timestamp?

    public init(
        id: String, source: Source, environment: String? = nil, host: String? = nil, project: String? = nil,
        services: [String]? = nil, images: [String: String]? = nil, commit: String? = nil, ref: String? = nil,
        actor: String? = nil, url: String? = nil, status: Status, startedAt: Timestamp, finishedAt: Timestamp? = nil,
        touched: [String]? = nil, note: String? = nil, commands: [String]? = nil, steps: [Step]? = nil
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
        self.commands = commands
        self.steps = steps
    }
}

extension DeploymentRecord {
    /// An id a person can read out: `cli-20261201T220424Z-3f2a`, the source, the start in UTC to the
    /// second, and 16 random bits for deployments started in the same second.
    public static func readableID(source: Source, at time: Timestamp) -> String {
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(source.rawValue)-\(compactTime(time))-\(String(repeating: "0", count: 4 - suffix.count) + suffix)"
    }

    /// `20261201T220424Z`: the UTC second, in the basic ISO 8601 form ids use.
    static func compactTime(_ time: Timestamp) -> String {
        RFC3339.format(time).prefix { $0 != "." }.filter { $0 != "-" && $0 != ":" } + "Z"
    }
}
