import AuditSupport
import Deployments
import Matcher

/// Which status changes an evaluation brings: pure, so the rules are tested on values.
public enum NotificationPlanner {
    /// The findings to announce, each with the status it announces, oldest first.
    ///
    /// - A finding not announced before is announced once it is decided (`Settlement`), at or above
    ///   `minimumSeverity`, and no older than `baselineNs` (history is not news). It is announced
    ///   `opened` first whatever its status now, so that a change reconciled before it was decided is
    ///   still heard of, then with its current status.
    /// - A finding announced before is announced again for each status not announced yet: each of
    ///   opened, acknowledged, stale, reconciled and gone at most once per finding.
    public static func changes(
        findings: [Finding], queued: [String: Set<String>], baselineNs: Int64, deployments: [DeploymentRecord],
        host: String, nowNs: Int64, minimumSeverity: Severity
    ) -> [Finding] {
        var result: [Finding] = []
        for finding in findings.sorted(by: { ($0.timeNano, $0.id) < ($1.timeNano, $1.id) }) where finding.severity >= minimumSeverity {
            let announced = queued[finding.id] ?? []
            var statuses: [FindingStatus] = []
            if announced.isEmpty {
                guard finding.timeNano >= baselineNs,
                      Settlement.isDecided(finding, deployments: deployments, host: host, nowNs: nowNs) else { continue }
                statuses.append(.open)
            }
            if finding.status != .open { statuses.append(finding.status) }
            for status in statuses where !announced.contains(status.rawValue) {
                result.append(status == finding.status ? finding : opened(finding))
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
