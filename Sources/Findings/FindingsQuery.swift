import AuditSupport
import Matcher

/// Which findings to compute: a window, the clock to judge statuses by, and the report's filters.
public struct FindingsQuery: Sendable {
    public var fromNs: Int64
    public var toNs: Int64
    /// Statuses (stale acknowledgements, removals) are judged as of this time.
    public var nowNs: Int64
    /// This Docker host's name in deployment records.
    public var host: String
    /// nil follows each record's clock.
    public var toleranceNs: Int64?
    /// Only findings at or above.
    public var minimumSeverity: Severity?
    public var project: String?
    public var statuses: Set<FindingStatus>?
    /// A not-recreated finding for each running container no deployment has recreated for longer.
    public var maxAgeNs: Int64?

    public init(fromNs: Int64, toNs: Int64, nowNs: Int64, host: String, toleranceNs: Int64? = nil, minimumSeverity: Severity? = nil,
                project: String? = nil, statuses: Set<FindingStatus>? = nil, maxAgeNs: Int64? = nil) {
        self.fromNs = fromNs
        self.toNs = toNs
        self.nowNs = nowNs
        self.host = host
        self.toleranceNs = toleranceNs
        self.minimumSeverity = minimumSeverity
        self.project = project
        self.statuses = statuses
        self.maxAgeNs = maxAgeNs
    }

    func admits(_ f: Finding) -> Bool {
        (minimumSeverity.map { f.severity >= $0 } ?? true)
            && (project.map { f.container.project == $0 } ?? true)
            && (statuses.map { $0.contains(f.status) } ?? true)
    }
}
