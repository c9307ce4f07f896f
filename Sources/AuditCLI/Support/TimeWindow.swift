import ArgumentParser
import AuditSupport

/// `--since` / `--until` as `docker events` takes them: durations back from now, RFC 3339, Unix seconds.
struct TimeWindowOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the window: a duration back from now (30m, 24h, 7d), an RFC 3339 time or Unix seconds.", valueName: "time"))
    var since: String = "1h"

    @Option(help: ArgumentHelp("End of the window, same forms (default: now).", valueName: "time"))
    var until: String?

    func resolve(now: Timestamp = .now()) throws -> (since: Timestamp, until: Timestamp) {
        guard let since = TimeArgument.parse(since, now: now) else {
            throw ValidationError("--since \"\(self.since)\" is not a duration (30m, 24h, 7d), an RFC 3339 time (2026-11-27T10:00:00Z) or Unix seconds")
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
