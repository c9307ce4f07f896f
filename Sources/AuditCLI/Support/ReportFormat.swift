import ArgumentParser

/// How `audit report` and `audit drift` print: a table for terminals, JSON for machines, Markdown for
/// pasting into an incident or a pull request.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, markdown
}
