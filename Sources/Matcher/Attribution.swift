/// A change a deployment record covers, with the evidence: what `audit report --in-band` lists.
public struct Attribution: Sendable, Equatable {
    /// The event that names the change, as for a finding.
    public var event: MatcherEvent
    /// What the change was: `create`, `recreate`, or the anchor's action (`restart`, `stop`, `pull`, …).
    public var change: String
    /// The container's name once the change is done.
    public var name: String?
    public var deploymentID: String
    /// "myproj deployment d1: during its window; its command `docker-compose up -d` can …".
    public var evidence: String
}
