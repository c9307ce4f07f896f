import AuditSupport

/// One out-of-band change, ready for a report.
public struct Finding: Sendable, Equatable {
    /// The container a finding is about; for image findings, the image.
    public struct Container: Sendable, Equatable, Codable {
        public var id: String
        public var name: String?
        public var project: String?
        public var service: String?

        public init(id: String, name: String?, project: String?, service: String?) {
            self.id = id
            self.name = name
            self.project = project
            self.service = service
        }
    }

    /// The acknowledgement in force when the finding was analysed.
    public struct AckInfo: Sendable, Equatable {
        public var by: String
        public var reason: String
        public var atNs: Int64
        public var expiresNs: Int64?
    }

    /// The gap an unobserved change happened in.
    public struct GapBounds: Sendable, Equatable {
        public var fromNs: Int64
        public var toNs: Int64
    }

    /// What ended the change: a deployment (reconciled) or the container's removal (gone).
    public struct Resolution: Sendable, Equatable {
        public var atNs: Int64
        /// Set when a deployment reconciled the change; nil when the container was removed by hand.
        public var deploymentID: String?

        var status: FindingStatus { deploymentID == nil ? .gone : .reconciled }
    }

    /// Stable across runs: see `FindingID`.
    public var id: String
    public var severity: Severity
    public var kind: FindingKind
    /// The daemon action that names the change: `restart`, `exec_start`, `create`, …
    public var action: String
    /// The status at the analysis's `now`.
    public var status: FindingStatus
    public var timeNano: Int64
    public var container: Container
    /// One line for a person.
    public var detail: String
    /// Why no deployment covers it: the nearest candidate and what it lacks ("myproj deployment
    /// cli-… finished 6.1 s before; tolerance 0.5 s (…)").
    public var why: String?
    /// Configuration changes, `memory 512 MiB → 2 GiB`.
    public var changes: [String]?
    /// The exec command, secrets masked.
    public var command: String?
    public var user: String?
    public var privileged: Bool?
    public var tty: Bool?
    public var resolution: Resolution?
    public var ack: AckInfo?
    public var gap: GapBounds?

    /// The status at `now`: a resolution wins over an acknowledgement, and an expired acknowledgement
    /// of a change still in effect is stale.
    public func status(at now: Int64) -> FindingStatus {
        if let resolution, resolution.atNs <= now { return resolution.status }
        guard let ack, ack.atNs <= now else { return .open }
        if let expires = ack.expiresNs, expires <= now { return .stale }
        return .acknowledged
    }
}
