/// What became of a finding after it happened: a later deployment reconciled it, the container was
/// removed, or a person acknowledged it.
struct FindingLifecycle {
    /// In-band changes, oldest first.
    private let inBand: [(change: Change, deployment: Deployment)]
    /// Destroy times per container, from every source.
    private let destroys: [String: [Int64]]
    private let acks: [String: [Ack]]

    init(inBand: [(change: Change, deployment: Deployment)], events: [MatcherEvent], acks: [Ack]) {
        self.inBand = inBand.sorted { $0.change.timeNano < $1.change.timeNano }
        var destroys: [String: [Int64]] = [:]
        for event in events where event.type == "container" && event.action == "destroy" {
            destroys[event.actorID, default: []].append(event.timeNano)
        }
        self.destroys = destroys
        self.acks = Dictionary(grouping: acks, by: \.findingID)
    }

    /// `finding` with its resolution, its acknowledgement in force at `now`, and its status at `now`.
    func apply(to finding: Finding, now: Int64) -> Finding {
        var finding = finding
        if finding.kind != .image {
            let reconciled = reconciliation(of: finding)
            let gone = destroys[finding.container.id]?.filter { $0 > finding.timeNano }.min()
                .map { Finding.Resolution(atNs: $0, deploymentID: nil) }
            finding.resolution = [reconciled, gone].compactMap { $0 }.min { $0.atNs < $1.atNs }
        }
        finding.ack = acks[finding.id]?.filter { $0.atNs <= now }.max { $0.atNs < $1.atNs }
            .map { Finding.AckInfo(by: $0.by, reason: $0.reason, atNs: $0.atNs, expiresNs: $0.expiresNs) }
        finding.status = finding.status(at: now)
        return finding
    }

    /// The first later in-band change that recreated, reconfigured or removed the container, or
    /// created a new container for its compose service.
    private func reconciliation(of finding: Finding) -> Finding.Resolution? {
        let container = finding.container
        for (change, deployment) in inBand where change.timeNano > finding.timeNano {
            let recreatesService = change.kind == .unmanagedContainer && container.service != nil
                && change.anchor.project == container.project && change.anchor.service == container.service
            let rewrites = change.kind == .unmanagedContainer || change.kind == .update || change.action == "destroy"
            if recreatesService || (rewrites && change.touches(container.id)) {
                return Finding.Resolution(atNs: change.timeNano, deploymentID: deployment.id)
            }
        }
        return nil
    }
}
