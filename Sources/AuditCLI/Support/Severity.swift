import ArgumentParser

/// `--fail-on LEVEL`: exit 3 when something at or above LEVEL was found.
enum SeverityLevel: String, ExpressibleByArgument, CaseIterable, Comparable {
    case low, medium, high, critical

    static func < (a: SeverityLevel, b: SeverityLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The exit statuses every checking command shares.
enum CheckExit {
    /// The check ran and found something at or above `--fail-on`.
    static let findings = ExitCode(3)
    /// Wrong flags or unreadable input (a manifest, a file).
    static let usage = ExitCode(2)
}
