import AuditStore
import Deployments
import Matcher

/// What a report shows: the findings of a window with the deployments and coverage around them.
public struct ReportModel: Sendable {
    public var fromNs: Int64
    public var toNs: Int64
    public var findings: [Finding]
    /// Per project: the last full recreate and how long each running container has gone without one.
    public var reconciliation: [ProjectReconciliation]
    /// The changes deployments cover, with the evidence (`--in-band`).
    public var attributed: [Attribution]
    /// Which tolerance applied, in words.
    public var tolerance: String
    public var deployments: [DeploymentRecord]
    public var coverage: [CoverageInterval]
    public var gaps: [StoredGap]
    /// How far retention had pruned the store when the report was made.
    public var retention: RetentionHorizons

    /// Where the window's events were pruned by retention: from `fromNs` to this time (at most `toNs`).
    public var prunedUntilNs: Int64? {
        guard let before = retention.eventsBeforeNs, before > fromNs else { return nil }
        return min(before, toNs)
    }

    /// Share of the window the collector was connected, over the part retention has not pruned (a
    /// pruned stretch is not a blind one: the renderers say it was pruned).
    public var coveragePercent: Double {
        let start = prunedUntilNs ?? fromNs
        guard toNs > start else { return 0 }
        let covered = coverage.reduce(0.0) { $0 + Double(max(0, $1.endNs - max($1.startedNs, start))) }
        return min(100, covered / Double(toNs - start) * 100)
    }

    /// How many findings share each key, in the order the keys first appear.
    public func count<T: Hashable>(_ key: (Finding) -> T) -> [(T, Int)] {
        var counts: [T: Int] = [:]
        var order: [T] = []
        for f in findings {
            let k = key(f)
            if counts[k] == nil { order.append(k) }
            counts[k, default: 0] += 1
        }
        return order.map { ($0, counts[$0, default: 0]) }
    }
}
