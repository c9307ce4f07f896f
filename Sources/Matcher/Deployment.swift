/// A deployment record as the matcher reads it: who was allowed to change what, where, and when.
public struct Deployment: Sendable, Equatable {
    public enum Status: String, Sendable {
        case inProgress = "in_progress"
        case success
        case failure
        case cancelled
    }

    /// Whose clock the record's times were read on, which decides how much slack they need.
    public enum Clock: String, Sendable {
        /// `audit deploy` on this host: the collector's own clock.
        case local = "cli"
        /// A sender's times (webhook, GitHub, GitLab), bounded by when the record was received.
        case sender = "webhook"
        /// A CI log's line times.
        case log = "log-import"
    }

    /// What a deployment command can do to containers and images.
    public enum Effect: String, Sendable, CaseIterable {
        /// create, recreate, start, stop, kill, restart, remove, rename.
        case containers
        /// pull, tag, untag, remove images.
        case images
        case exec
        case update
        case copy
        case commit
    }

    /// One command the deployment ran, with what it can do and, when known, its own window.
    public struct Step: Sendable, Equatable {
        /// The command line as written.
        public var command: String
        /// What the command can do; nil when it is opaque (a script whose body is unknown): anything.
        public var effects: Set<Effect>?
        /// The step's own window; nil means the record's.
        public var startedAtNs: Int64?
        public var finishedAtNs: Int64?
        /// Container names the step's output says it changed; nil means the record's `touched`.
        public var touched: [String]?

        public init(command: String, effects: Set<Effect>?, startedAtNs: Int64? = nil, finishedAtNs: Int64? = nil, touched: [String]? = nil) {
            self.command = command
            self.effects = effects
            self.startedAtNs = startedAtNs
            self.finishedAtNs = finishedAtNs
            self.touched = touched
        }
    }

    public var id: String
    /// Nil means any host.
    public var host: String?
    /// Nil means any project.
    public var project: String?
    /// Nil means the whole project.
    public var services: [String]?
    /// Service → image reference, possibly pinned by `@sha256:` digest.
    public var images: [String: String]?
    public var status: Status
    public var startedAtNs: Int64
    public var finishedAtNs: Int64?
    /// Container names the deployment's own output says it changed; nil when its output named none,
    /// empty when it named containers but changed none (all `up-to-date`).
    public var touched: [String]?
    public var clock: Clock
    /// When the store first received the record, on the collector's clock.
    public var receivedAtNs: Int64?
    /// The commands it ran; nil when unknown, and then the record covers any change in its scope.
    public var steps: [Step]?

    public init(
        id: String, host: String? = nil, project: String? = nil, services: [String]? = nil,
        images: [String: String]? = nil, status: Status, startedAtNs: Int64, finishedAtNs: Int64? = nil,
        touched: [String]? = nil, clock: Clock = .sender, receivedAtNs: Int64? = nil, steps: [Step]? = nil
    ) {
        self.id = id
        self.host = host
        self.project = project
        self.services = services
        self.images = images
        self.status = status
        self.startedAtNs = startedAtNs
        self.finishedAtNs = finishedAtNs
        self.touched = touched
        self.clock = clock
        self.receivedAtNs = receivedAtNs
        self.steps = steps
    }
}
