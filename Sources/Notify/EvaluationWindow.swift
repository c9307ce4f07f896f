/// Where the notifier's evaluation starts: the last hour, reaching back to the oldest finding
/// announced and not yet ended (to see it end), and to an hour before the start of a gap in coverage
/// that ended within the last hour (the daemon's replay and the reconciliation store what happened
/// while nobody watched with its own time, which after a long stop lies far behind the last hour);
/// never more than 7 days back.
public enum EvaluationWindow {
    public static let lookbackNs: Int64 = 60 * 60 * 1_000_000_000
    public static let maxLookbackNs: Int64 = 7 * 24 * 60 * 60 * 1_000_000_000

    /// - Parameters:
    ///   - oldestUnresolvedNs: the oldest announced finding not announced ended, if any.
    ///   - recentGapStartNs: the start of the earliest gap that ended within the last hour, if any.
    public static func fromNs(nowNs: Int64, oldestUnresolvedNs: Int64?, recentGapStartNs: Int64?) -> Int64 {
        let floor = nowNs - maxLookbackNs
        let starts = [nowNs - lookbackNs, oldestUnresolvedNs, recentGapStartNs.map { $0 - lookbackNs }].compactMap { $0 }
        return max(floor, starts.min() ?? nowNs)
    }
}
