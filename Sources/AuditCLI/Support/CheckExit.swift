import ArgumentParser

/// The exit statuses every checking command shares.
enum CheckExit {
    /// The check ran and found something at or above `--fail-on`.
    static let findings = ExitCode(3)
    /// Wrong flags or unreadable input (a manifest, a file).
    static let usage = ExitCode(2)
}
