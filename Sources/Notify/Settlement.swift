import Deployments
import Matcher

/// When a finding is decided, so that announcing it cannot be taken back by a record still to come:
/// the widest tolerance a record gets (`Tolerance.senderCap`, 5 s) has passed since the change, and
/// no in-progress deployment that could cover it is open (one started before the change plus that
/// tolerance, of its host and project, not past the 30 minutes an unfinished record may cover).
/// A change during a running deploy therefore waits for that deploy's record to finish.
///
/// A pipeline that posts its record only once it finished, later than the tolerance, is not waited
/// for: the change is announced, and the report attributes it once the record arrives.
public enum Settlement {
    public static func isDecided(_ finding: Finding, deployments: [DeploymentRecord], host: String, nowNs: Int64) -> Bool {
        let tolerance = Tolerance.senderCap
        guard nowNs.distance(saturatingTo: finding.timeNano) >= tolerance, nowNs > finding.timeNano else { return false }
        return !deployments.contains { record in
            let startNs = record.startedAt.nanoseconds
            guard record.status == .inProgress, startNs <= finding.timeNano + tolerance,
                  nowNs < startNs + Deployment.inProgressCapNs else { return false }
            guard record.host.map({ $0 == host }) ?? true else { return false }
            // Image findings name no project: any deployment on the host may pull or tag.
            if finding.kind == .image { return true }
            guard record.project.map({ $0 == finding.container.project }) ?? true else { return false }
            guard let services = record.services, let service = finding.container.service else { return true }
            return services.contains(service)
        }
    }
}
