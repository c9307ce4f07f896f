import ArgumentParser
import AuditSupport

/// `--since` / `--until` as `docker events` takes them: durations back from now, RFC 3339, Unix seconds.
struct TimeWindowOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the window: a duration back from now (30m, 24h, 7d), an RFC 3339 time or Unix seconds (default: 1h; 24h for report).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("End of the window, same forms (default: now).", valueName: "time"))
    var until: String?

    /// `defaultSince` applies without `--since`: `audit report` reviews the last 24 h, the window operators review.
    func resolve(now: Timestamp = .now(), defaultSince: String = "1h") throws -> (since: Timestamp, until: Timestamp) {
        let sinceText = self.since ?? defaultSince
        guard let since = TimeArgument.parse(sinceText, now: now) else {
            throw ValidationError("--since \"\(sinceText)\" is not a duration (30m, 24h, 7d), an RFC 3339 time (2026-11-27T10:00:00Z) or Unix seconds")
        }
        var end = now
        if let until {
            guard let parsed = TimeArgument.parse(until, now: now) else {
                throw ValidationError("--until \"\(until)\" is not a duration, an RFC 3339 time or Unix seconds")
            }
            end = parsed
        }
        guard since <= end else { throw ValidationError("--since is after --until: nothing can match") }
        return (since, end)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
