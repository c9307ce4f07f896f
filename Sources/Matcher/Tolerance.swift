import AuditSupport

/// How far outside its window a record still covers a change, and why that much. The default follows
/// the record's clock: the 30 s once used for every record let a hotfix six seconds after a deploy
/// pass as the deploy.
public struct Tolerance: Sendable, Equatable {
    public var ns: Int64
    /// What the figure rests on, for a person: `cli record, the collector's clock`.
    public var basis: String

    static let second: Int64 = 1_000_000_000
    /// `audit deploy` stamps its record on the collector's clock; what is left is the gap between the
    /// command's exit and its last event reaching the daemon.
    static let local = second / 2
    /// A sender's clock, when nothing was measured.
    static let sender = 2 * second
    /// The most a measured offset between a sender's time and our receipt may widen it: beyond that
    /// the offset is a delayed post, not a skewed clock. Also the widest tolerance any record gets by
    /// default: the notifier waits this long after a change before a record can no longer claim it.
    public static let senderCap = 5 * second
    /// A log's line times are stamped as the runner prints them, around the daemon's events.
    static let log = 2 * second

    /// The tolerance for `deployment`; `override` (`--tolerance`) wins.
    static func of(_ deployment: Deployment, override: Int64?) -> Tolerance {
        if let override { return Tolerance(ns: override, basis: "--tolerance") }
        switch deployment.clock {
        case .local:
            return widened(local, deployment, "cli record, the collector's clock")
        case .log:
            return Tolerance(ns: log, basis: "log line times")
        case .sender:
            return widened(sender, deployment, "webhook record")
        }
    }

    /// A record's time and our receipt of it differ by network delay plus clock skew: the nearer of
    /// its start and finish to the receipt bounds the skew, up to `senderCap`.
    private static func widened(_ base: Int64, _ d: Deployment, _ basis: String) -> Tolerance {
        guard let received = d.receivedAtNs else { return Tolerance(ns: base, basis: basis) }
        let offset = ([d.startedAtNs] + [d.finishedAtNs].compactMap { $0 }).map { received.distance(saturatingTo: $0) }.min() ?? 0
        guard offset > base else { return Tolerance(ns: base, basis: basis) }
        let ns = min(offset, senderCap)
        return Tolerance(ns: ns, basis: basis + ", received \(DurationFormat.precise(nanoseconds: offset)) off its own times")
    }

    public var description: String { "\(DurationFormat.precise(nanoseconds: ns)) (\(basis))" }
}
