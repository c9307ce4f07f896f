import ArgumentParser
import AuditSupport

/// `--severity LEVEL` and `--fail-on LEVEL` take the findings' own scale: low, medium, high, critical.
extension Severity: ExpressibleByArgument {}
