import AuditSupport
import Deployments
import Matcher

/// Which status changes an evaluation brings: pure, so the rules are tested on values.
public enum NotificationPlanner {
    /// What to announce, oldest finding first.
    ///
    /// - A finding not announced before is announced once it is decided (`Settlement`), at or above
    ///   `minimumSeverity`, and no older than `baselineNs` (history is not news). It is announced
    ///   `opened` first whatever its status now, so that a change reconciled before it was decided is
    ///   still heard of, then with its current status.
    /// - A finding announced before is announced again for each status not announced yet (`queued`
    ///   holds the outbox's keys, `NotificationPayload.key`): opened, reconciled and gone at most once
    ///   per finding, acknowledged and stale once per acknowledgement (one given again after the
    ///   first expired is news, and ends the alert its expiry fired again).
    /// - A finding announced and not ended (`unresolved`, by id, each as last announced) that the
    ///   evaluation no longer holds is withdrawn. The evaluation's window reaches back to every such
    ///   finding, so absence means it no longer stands, not that it aged out.
    public static func changes(
        findings: [Finding], queued: [String: Set<String>], unresolved: [String: NotificationPayload] = [:], baselineNs: Int64,
        deployments: [DeploymentRecord], host: String, nowNs: Int64, minimumSeverity: Severity
    ) -> [NotificationPayload] {
        var result: [NotificationPayload] = []
        let evaluated = Set(findings.map(\.id))
        for previous in unresolved.values.sorted(by: { ($0.finding.timeNano, $0.finding.id) < ($1.finding.timeNano, $1.finding.id) })
        where !evaluated.contains(previous.finding.id) {
            result.append(previous.withdrawn())
        }
        for finding in findings.sorted(by: { ($0.timeNano, $0.id) < ($1.timeNano, $1.id) }) where finding.severity >= minimumSeverity {
            let announced = queued[finding.id] ?? []
            var statuses: [FindingStatus] = []
            if announced.isEmpty {
                guard finding.timeNano >= baselineNs,
                      Settlement.isDecided(finding, deployments: deployments, host: host, nowNs: nowNs) else { continue }
                statuses.append(.open)
            }
            if finding.status != .open { statuses.append(finding.status) }
            for status in statuses {
                let payload = NotificationPayload(finding: status == finding.status ? finding : opened(finding), host: host)
                if !announced.contains(payload.key) { result.append(payload) }
            }
        }
        return result
    }

    /// The finding as it was when it opened: no resolution, no acknowledgement.
    static func opened(_ finding: Finding) -> Finding {
        var f = finding
        f.status = .open
        f.resolution = nil
        f.ack = nil
        return f
    }
}
