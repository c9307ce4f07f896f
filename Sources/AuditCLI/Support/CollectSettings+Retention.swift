import ArgumentParser
import AuditStore
import AuditSupport

extension CollectSettings {
    /// `retention` and `probe-retention` as a policy; a value that is no period is a usage error
    /// naming where it was set.
    func retentionPolicy() throws -> RetentionPolicy {
        func period(_ key: String, _ fallback: String, atLeast minimum: (ns: Int64, text: String, why: String)) throws -> Int64 {
            let text = self.text(key) ?? fallback
            guard let ns = RetentionPolicy.parsePeriod(text) else {
                throw ValidationError(problem(key, "\"\(text)\" is not a retention period (90d, 2w, 12h, or 0 to keep everything; m is minutes)"))
            }
            guard ns == 0 || ns >= minimum.ns else {
                throw ValidationError(problem(key, "\"\(text)\" is shorter than \(minimum.text) (\(minimum.why)); m is minutes, use 90d or 12w"))
            }
            return ns
        }
        // A week at least: the notifier and the report's look-backs reach that far, and a finding whose
        // events were pruned inside them would be announced as gone.
        return RetentionPolicy(
            retentionNs: try period("retention", RetentionPolicy.defaultRetention, atLeast: (7 * 86_400_000_000_000, "7d", "the findings of the last week must stay readable")),
            probeRetentionNs: try period("probe-retention", RetentionPolicy.defaultProbeRetention, atLeast: (3_600_000_000_000, "1h", "probes are pruned by the hour")))
    }

    /// How often the collector prunes (`prune-interval`, at least 1 s).
    func pruneInterval() throws -> Duration {
        let text = self.text("prune-interval") ?? "1h"
        guard let ns = TimeArgument.parseDuration(text), ns >= 1_000_000_000 else {
            throw ValidationError(problem("prune-interval", "\"\(text)\" is not a duration of at least 1s (30s, 5m, 1h)"))
        }
        return .nanoseconds(ns)
    }
}
