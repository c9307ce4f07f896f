/// Decides which deployment, if any, covers a change. Computed from all records at report time, so a
/// record that arrives after its events still claims them.
struct Attributor {
    /// Newest first: when records overlap, the latest deployment is the one that acted.
    private let deployments: [Deployment]
    private let host: String?
    private let toleranceNs: Int64

    init(deployments: [Deployment], host: String?, toleranceNs: Int64) {
        self.deployments = deployments.sorted { ($0.startedAtNs, $1.id) > ($1.startedAtNs, $0.id) }
        self.host = host
        self.toleranceNs = toleranceNs
    }

    /// The deployment covering any event of `change`: a recreate or restart that began inside a
    /// window is in band as a whole, even when its last step lands just outside.
    func deployment(covering change: Change) -> Deployment? {
        let subject = change.subject
        for member in change.members {
            if let record = deployments.first(where: { $0.covers(subject, at: member.timeNano, host: host, toleranceNs: toleranceNs) }) {
                return record
            }
        }
        return nil
    }

    /// The latest deployment, started by the time of `change`, that declared an image for its
    /// compose service on this host.
    func declaration(for change: Change) -> (deployment: Deployment, image: String)? {
        guard let service = change.anchor.service else { return nil }
        for record in deployments where record.startedAtNs <= change.timeNano {
            if let recordHost = record.host, let host, recordHost != host { continue }
            if let project = record.project, project != change.anchor.project { continue }
            if let services = record.services, !services.contains(service) { continue }
            if let image = record.declaredImage(for: service) { return (record, image) }
        }
        return nil
    }
}
