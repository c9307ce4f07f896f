/// A deployment record as the matcher reads it: who was allowed to change what, where, and when.
public struct Deployment: Sendable, Equatable {
    public enum Status: String, Sendable {
        case inProgress = "in_progress"
        case success
        case failure
        case cancelled
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
    /// Container names the deployment's own output says it touched.
    public var touched: [String]?

    public init(
        id: String, host: String? = nil, project: String? = nil, services: [String]? = nil,
        images: [String: String]? = nil, status: Status, startedAtNs: Int64, finishedAtNs: Int64? = nil,
        touched: [String]? = nil
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
    }
}
