import AuditSupport
import Drift

/// How `audit drift` prints its findings: a table for terminals, JSON for machines, Markdown for
/// pasting into an incident or a pull request.
enum DriftReport {
    /// The drift check grades high, medium or low; counts list the most urgent first.
    static let severities: [Severity] = [.high, .medium, .low]

    static func summary(_ items: [DriftItem], project: String) -> String {
        let verified = items.filter { $0.unverified == nil }
        let unverified = items.count - verified.count
        let note = unverified == 0 ? "" : "; \(unverified) unverified (env only the container has, which may come from the image; pass --images to confirm)"
        guard !verified.isEmpty else { return "project \(project): no drift" + note }
        let counts = severities.compactMap { severity -> String? in
            let n = verified.filter { $0.severity == severity }.count
            return n == 0 ? nil : "\(n) \(severity.rawValue)"
        }
        return "project \(project): \(verified.count) drift item(s) (\(counts.joined(separator: ", ")))" + note
    }

    static func rows(_ items: [DriftItem]) -> [[String]] {
        items.map { [$0.severity.rawValue, $0.kind.rawValue, $0.service, $0.container?.name ?? "-", $0.field, $0.sentence] }
    }

    static let header = ["SEVERITY", "KIND", "SERVICE", "CONTAINER", "FIELD", "DETAIL"]

    static func table(_ items: [DriftItem], project: String) -> [String] {
        [summary(items, project: project)] + (items.isEmpty ? [] : Table.render(header: header, rows: rows(items)))
    }

    static func markdown(_ items: [DriftItem], project: String) -> [String] {
        var lines = ["### Drift: \(summary(items, project: project))"]
        guard !items.isEmpty else { return lines }
        lines.append("")
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append("|" + String(repeating: "---|", count: header.count))
        for row in rows(items) {
            lines.append("| " + row.map(Markdown.cell).joined(separator: " | ") + " |")
        }
        return lines
    }

    static func json(_ items: [DriftItem], project: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("project", project)
        w.key("summary")
        w.beginObject()
        w.field("total", Int64(items.count))
        for severity in severities {
            w.field(severity.rawValue, Int64(items.filter { $0.severity == severity }.count))
        }
        w.endObject()
        w.key("items")
        w.beginArray()
        for item in items {
            w.beginObject()
            w.field("service", item.service)
            if let container = item.container {
                w.key("container")
                w.beginObject()
                w.field("id", container.id)
                w.field("name", container.name)
                w.endObject()
            } else {
                w.key("container")
                w.raw("null")
            }
            w.field("field", item.field)
            w.field("expected", item.expected)
            w.field("actual", item.actual)
            w.field("severity", item.severity.rawValue)
            w.field("kind", item.kind.rawValue)
            w.field("detail", item.sentence)
            if let unverified = item.unverified { w.field("unverified", unverified) }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.text
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
