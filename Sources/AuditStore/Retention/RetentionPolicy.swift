import AuditSupport

/// How long the store keeps what it holds: `--retention` for everything, `--probe-retention` for
/// health-probe events (most of a busy host's rows, and never findings). Zero keeps everything.
public struct RetentionPolicy: Sendable, Equatable {
    public static let defaultRetention = "90d"
    public static let defaultProbeRetention = "7d"

    /// How long changes, snapshots, deployments, findings and acknowledgements are kept; nil: forever.
    public var retentionNs: Int64?
    /// How long health-probe events are kept (their hourly counts stay for `retentionNs`); nil: as long as the rest.
    public var probeRetentionNs: Int64?

    /// Periods in nanoseconds, 0 meaning "keep".
    public init(retentionNs: Int64, probeRetentionNs: Int64) {
        self.retentionNs = retentionNs > 0 ? retentionNs : nil
        self.probeRetentionNs = probeRetentionNs > 0 ? probeRetentionNs : nil
    }

    /// `90d`, `2w`, `12h` as nanoseconds, `0` (keep everything) as 0; nil for anything else.
    public static func parsePeriod(_ text: String) -> Int64? {
        let trimmed = text.trimmingSpaces()
        if trimmed == "0" { return 0 }
        guard let ns = TimeArgument.parseDuration(trimmed), ns > 0 else { return nil }
        return ns
    }

    /// Nothing to prune at all.
    public var keepsEverything: Bool { retentionNs == nil && probeRetentionNs == nil }

    /// The cut-offs as of `nowNs`. Probes are never kept longer than everything else.
    public func cutoffs(nowNs: Int64) -> (eventsBeforeNs: Int64?, probesBeforeNs: Int64?) {
        let events = retentionNs.map { nowNs.minus(saturating: $0) }
        var probes = probeRetentionNs.map { nowNs.minus(saturating: $0) }
        if let e = events, let p = probes, e > p { probes = e }
        return (events, probes)
    }
}
