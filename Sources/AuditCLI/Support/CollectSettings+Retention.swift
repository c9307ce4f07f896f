import ArgumentParser
import AuditStore
import AuditSupport

extension CollectSettings {
    /// `retention` and `probe-retention` as a policy; a value that is no period is a usage error
    /// naming where it was set.
    func retentionPolicy() throws -> RetentionPolicy {
        func period(_ key: String, _ fallback: String) throws -> Int64 {
            let text = self.text(key) ?? fallback
            guard let ns = RetentionPolicy.parsePeriod(text) else {
                throw ValidationError(problem(key, "\"\(text)\" is not a retention period (90d, 2w, 12h, or 0 to keep everything)"))
            }
            return ns
        }
        return RetentionPolicy(retentionNs: try period("retention", RetentionPolicy.defaultRetention),
                               probeRetentionNs: try period("probe-retention", RetentionPolicy.defaultProbeRetention))
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
